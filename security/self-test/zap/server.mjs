// SELF-TEST VARIANT — deliberately missing every security header (see ../README.md). The ZAP baseline
// must warn, at least on 10021 (X-Content-Type-Options missing) and 90004 (Cross-Origin-Resource-Policy).
import { createServer } from 'node:http';

createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'application/json', 'X-Powered-By': 'self-test' });
  res.end(JSON.stringify({ myapplication: [{ version: '0.0.0', description: 'self-test', lastcommitsha: '0' }] }));
}).listen(5000, '127.0.0.1');
