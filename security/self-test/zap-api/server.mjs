// SELF-TEST VARIANT — deliberately reflects input unescaped as HTML (see ../README.md). It sends every
// security header the real service sends, and /greet answers JSON to ordinary input, so the passive
// baseline sees nothing wrong; only a crafted value (a `<` in `name`) gets an HTML page (status 200) that
// echoes it. ZAP's API scan, attacking `name` as openapi.yaml describes it, must report 40012
// (Cross Site Scripting, Reflected), a FAIL rule in security/zap/api-rules.tsv.
import { createServer } from 'node:http';

const HEADERS = {
  'Content-Security-Policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), geolocation=(), microphone=()',
  'Cache-Control': 'no-store',
};

const json = (res, status, body) => {
  res.writeHead(status, { ...HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://variant');
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
  if (url.pathname === '/healthcheck') {
    return json(res, 200, { myapplication: [{ version: '0.0.0', description: 'self-test', lastcommitsha: '0' }] });
  }
  if (url.pathname === '/greet') {
    const name = url.searchParams.get('name') ?? '';
    if (/^[\w .-]*$/.test(name)) return json(res, 200, { greeting: `hello ${name}` });
    // THE FLAW: the "friendly" error page pastes the raw input into HTML.
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(`<html><body><p>Invalid name: ${name}</p></body></html>`);
  }
  return json(res, 404, { error: 'not found' });
});

server.listen(Number(process.env.PORT ?? 5000), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
