/**
 * The API scan's self-test variant (security/self-test/zap-api/) has the flaw it claims, reproduced
 * here as ZAP's active rule 40012 would provoke it: ordinary input gets JSON (nothing for a passive scan
 * to see), a crafted value comes back unescaped in an HTML page. The real service answers the same
 * crafted request with its fixed JSON error. ZAP itself cannot run here; the workflow job runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { testConfig } from '../support/test-config.ts';
import { ROOT } from './gate-sandbox.ts';

const VARIANT = join(ROOT, 'security', 'self-test', 'zap-api');
const PAYLOAD = '<script>alert(40012)</script>';

let variant: ChildProcess;
let base: string;

beforeAll(async () => {
  variant = spawn(process.execPath, [join(VARIANT, 'server.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(variant.stdout!, 'data')) as [Buffer];
  const port = /listening (\d+)/.exec(chunk.toString())?.[1];
  if (!port) throw new Error(`the variant did not report its port: ${chunk.toString()}`);
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  variant.kill();
});

test('ordinary input gets JSON with every header the passive rules look for', async () => {
  const res = await fetch(`${base}/greet?name=world`);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  for (const header of [
    'content-security-policy',
    'x-content-type-options',
    'x-frame-options',
    'cross-origin-resource-policy',
  ])
    expect(res.headers.get(header)).not.toBeNull();
  expect(await res.json()).toEqual({ greeting: 'hello world' });
});

test('a crafted value comes back unescaped in HTML: the reflected XSS an active scan finds', async () => {
  const res = await fetch(`${base}/greet?name=${encodeURIComponent(PAYLOAD)}`);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(await res.text()).toContain(PAYLOAD);
});

test("the variant's description hands ZAP the parameter to attack, in the real description's format", () => {
  const doc = parse(readFileSync(join(VARIANT, 'openapi.yaml'), 'utf8')) as {
    openapi: string;
    paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
  };
  const real = parse(readFileSync(join(ROOT, 'docs', 'openapi.yaml'), 'utf8')) as { openapi: string };
  expect(doc.openapi).toBe(real.openapi);
  expect(doc.paths['/greet']?.get?.parameters).toEqual([
    expect.objectContaining({ name: 'name', in: 'query' }),
  ]);
});

test('the real service answers the same crafted request with its fixed JSON error, echoing nothing', async () => {
  const app = createApp(testConfig(), createLogger('silent'));
  const res = await request(app).get(`/greet?name=${encodeURIComponent(PAYLOAD)}`);
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.text).not.toContain('<script>');
  expect(res.text).not.toContain('40012');
});
