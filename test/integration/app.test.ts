import request, { type Response } from 'supertest';
import { createApp } from '../../src/app.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import { createLogger } from '../../src/logger.ts';
import { capturedLogger } from '../support/log-capture.ts';
import { testConfig } from '../support/test-config.ts';

const INTERNAL_SECRET = 'db password is hunter2 at /srv/app/src/secret.ts';

function buildApp(options: { level?: 'info' | 'debug'; lifecycle?: Lifecycle } = {}) {
  const { logger, lines } = capturedLogger(options.level ?? 'info');
  const app = createApp(testConfig({ BODY_LIMIT_BYTES: '64' }), logger, {
    lifecycle: options.lifecycle,
    routes: (router) => {
      router.get('/boom', () => {
        throw new Error(INTERNAL_SECRET);
      });
      router.get('/async-boom', () => Promise.reject(new Error(INTERNAL_SECRET)));
      router.post('/echo', (req, res) => {
        res.json({ received: req.body as unknown });
      });
    },
  });
  return { app, lines };
}

const { app } = buildApp();

/** The whole JSON error body: exactly these fields, and the request id the response carries. */
function expectErrorBody(res: Response, status: number, code: string, message: string): void {
  expect(res.body).toEqual({ error: { status, code, message, requestId: res.headers['x-request-id'] } });
}

function expectSecurityHeaders(res: Response): void {
  expect(res.headers['content-security-policy']).toBe(
    "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
  );
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  expect(res.headers['permissions-policy']).toContain('camera=()');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers.server).toBeUndefined();
  expect(res.headers['access-control-allow-origin']).toBeUndefined();
}

function expectNoLeak(res: Response): void {
  const text = res.text ?? '';
  expect(text).not.toContain('hunter2');
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toMatch(/\/(src|srv|dist|node_modules)\//);
  expect(text).not.toContain('Error:');
}

describe('GET /healthcheck', () => {
  it('answers the contract with the configured values', async () => {
    const res = await request(app).get('/healthcheck').expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBe(
      '{"myapplication":[{"version":"1.0","description":"PI technical example","lastcommitsha":"abc57858585"}]}',
    );
  });

  it('answers HEAD with the same headers and no body', async () => {
    const get = await request(app).get('/healthcheck');
    const head = await request(app).head('/healthcheck').expect(200);
    expect(head.text).toBeUndefined();
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
  });

  it('answers 503 while draining', async () => {
    const lifecycle = new Lifecycle();
    const draining = buildApp({ lifecycle }).app;
    lifecycle.startDraining();
    const res = await request(draining).get('/healthcheck').expect(503);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toMatchObject({ error: { status: 503, code: 'service_unavailable' } });
    expectSecurityHeaders(res);
  });
});

describe('security headers on every response', () => {
  it.each([
    ['200', () => request(app).get('/healthcheck'), 200],
    ['HEAD', () => request(app).head('/healthcheck'), 200],
    ['OPTIONS', () => request(app).options('/healthcheck'), 204],
    ['404', () => request(app).get('/nowhere'), 404],
    ['405', () => request(app).delete('/healthcheck'), 405],
    [
      '413',
      () => request(app).post('/echo').set('Content-Type', 'application/json').send('x'.repeat(100)),
      413,
    ],
    ['400', () => request(app).post('/echo').set('Content-Type', 'application/json').send('{bad'), 400],
    ['500', () => request(app).get('/boom'), 500],
  ])('%s', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expectSecurityHeaders(res);
  });
});

describe('routing errors are JSON', () => {
  it('answers an unknown path with a JSON 404', async () => {
    const res = await request(app).get('/admin/../../etc/passwd').expect(404);
    expect(res.body).toMatchObject({ error: { status: 404, code: 'not_found', message: 'Not found' } });
  });

  it('answers another method on a known path with 405 and Allow', async () => {
    const res = await request(app).put('/healthcheck').expect(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(res.body).toMatchObject({ error: { status: 405, code: 'method_not_allowed' } });
  });

  it('answers OPTIONS with the allowed methods and no CORS grant', async () => {
    const res = await request(app).options('/healthcheck').set('Origin', 'https://evil.example').expect(204);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('never echoes a TRACE request', async () => {
    const marker = 'Cookie-Marker-5f3a';
    for (const path of ['/healthcheck', '/nowhere']) {
      const res = await request(app).trace(path).set('X-Marker', marker).set('Cookie', marker);
      expect([404, 405]).toContain(res.status);
      expect(res.text).not.toContain(marker);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('matches paths exactly: no trailing-slash or case variants of the health route', async () => {
    await request(app).get('/healthcheck/').expect(404);
    await request(app).get('/HEALTHCHECK').expect(404);
  });
});

describe('request bodies', () => {
  it('accepts a JSON body within the limit', async () => {
    const res = await request(app).post('/echo').send({ ok: true }).expect(200);
    expect(res.body).toEqual({ received: { ok: true } });
  });

  it('refuses an announced oversize body with 413 and closes the connection', async () => {
    const res = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(200) }))
      .expect(413);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toMatchObject({ error: { status: 413, code: 'payload_too_large' } });
  });

  it('refuses an oversize chunked body (no Content-Length) while reading it', async () => {
    const req = request(app).post('/echo').set('Content-Type', 'application/json');
    req.write(JSON.stringify({ pad: 'x'.repeat(100) }));
    const res = await req;
    expect(res.status).toBe(413);
    expectNoLeak(res);
  });

  it('answers malformed JSON with a JSON 400 that does not echo the parser message', async () => {
    const res = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send('{"a":')
      .expect(400);
    expectErrorBody(res, 400, 'bad_request', 'Bad request');
    expect(res.text).not.toMatch(/JSON|position|Unexpected/);
  });

  it('answers an unsupported body encoding with 415', async () => {
    const res = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'compress')
      .send('{}');
    expect(res.status).toBe(415);
    expectNoLeak(res);
  });
});

describe('errors never leak internals', () => {
  it.each(['/boom', '/async-boom'])('%s answers a generic 500 and logs the details', async (path) => {
    const { app: logged, lines } = buildApp();
    const res = await request(logged).get(path).expect(500);
    expectErrorBody(res, 500, 'internal_error', 'Internal server error');
    expectNoLeak(res);
    const logged500 = lines().find((line) => line.msg === 'unhandled error');
    expect(JSON.stringify(logged500)).toContain('hunter2');
    expect(logged500).toMatchObject({ level: 'error', reqId: res.headers['x-request-id'] });
  });
});

describe('request ids', () => {
  it('makes a new id when none is sent', async () => {
    const res = await request(app).get('/healthcheck');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a short, safe incoming id', async () => {
    const res = await request(app).get('/healthcheck').set('X-Request-Id', 'trace-01.abc:9');
    expect(res.headers['x-request-id']).toBe('trace-01.abc:9');
  });

  it.each(['a'.repeat(65), 'bad id', '<script>', 'x\u00e9'])('replaces an unsafe id %j', async (id) => {
    const res = await request(app).get('/healthcheck').set('X-Request-Id', id);
    expect(res.headers['x-request-id']).not.toBe(id);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('logs', () => {
  it('logs a request as one JSON event with stable fields', async () => {
    const { app: logged, lines } = buildApp();
    await request(logged).get('/nowhere?token=abc').set('X-Request-Id', 'req-42');
    expect(lines()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'request',
        reqId: 'req-42',
        method: 'GET',
        url: '/nowhere?token=abc',
        status: 404,
        ms: expect.any(Number),
      }),
    );
  });

  it('does not log probe traffic at info', async () => {
    const { app: logged, lines } = buildApp({ level: 'info' });
    await request(logged).get('/healthcheck').expect(200);
    await request(logged).head('/healthcheck').expect(200);
    expect(lines().filter((line) => line.msg === 'request')).toEqual([]);
  });

  it('logs probe traffic at debug', async () => {
    const { app: logged, lines } = buildApp({ level: 'debug' });
    await request(logged).get('/healthcheck').expect(200);
    expect(lines()).toContainEqual(
      expect.objectContaining({ level: 'debug', url: '/healthcheck', status: 200 }),
    );
  });

  it('logs a 4xx on the health path even at info', async () => {
    const { app: logged, lines } = buildApp({ level: 'info' });
    await request(logged).post('/healthcheck').expect(405);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 'warn', status: 405 }));
  });

  it('uses the process stdout logger by default', () => {
    expect(createLogger('silent').level).toBe('silent');
  });
});
