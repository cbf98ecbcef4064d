/**
 * The running service answers as docs/openapi.yaml says: for each request below, the status is one the
 * description lists for that operation, the body validates against its schema (ajv, JSON Schema
 * 2020-12 as OpenAPI 3.1 uses), and every documented header is present and valid. Requests are matched
 * to the described path as a server routes them, path templates included (`/api/v1/orders/42` is
 * `/api/v1/orders/{id}`), and path parameters must be declared. Every documented (operation, status)
 * must be produced by some request here, so the description cannot go stale either. The app is the
 * one main.ts serves: createRequestListener with the service's routes (src/routes.ts).
 *
 * Adding a route: add the requests that produce each status it documents to CASES (docs/first-day.md).
 */
import request from 'supertest';
import { createRequestListener } from '../../src/app.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import { createLogger } from '../../src/logger.ts';
import { SERVICE } from '../../src/config.ts';
import { testConfig } from '../support/test-config.ts';
import {
  answerProblems,
  describedPath,
  loadOpenApi,
  pathParameterProblems,
  resolveResponse,
  HTTP_METHODS,
  type Answer,
  type OpenApiDocument,
  type OpenApiOperation,
} from '../support/openapi.ts';

const BODY_LIMIT = 64;
const logger = createLogger('silent');

interface Case {
  name: string;
  method: 'get' | 'head' | 'options' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  draining?: boolean;
  send?: (req: request.Test) => request.Test;
}

const jsonBody =
  (body: string, headers: Record<string, string> = {}) =>
  (req: request.Test) =>
    req.set({ 'Content-Type': 'application/json', ...headers }).send(body);

const CASES: Case[] = [
  { name: 'GET', method: 'get', path: '/healthcheck' },
  { name: 'HEAD', method: 'head', path: '/healthcheck' },
  { name: 'OPTIONS', method: 'options', path: '/healthcheck' },
  { name: 'GET while draining', method: 'get', path: '/healthcheck', draining: true },
  { name: 'HEAD while draining', method: 'head', path: '/healthcheck', draining: true },
  { name: 'GET with malformed JSON', method: 'get', path: '/healthcheck', send: jsonBody('{"a":') },
  {
    name: 'GET with an announced body over the limit',
    method: 'get',
    path: '/healthcheck',
    send: jsonBody('x'.repeat(BODY_LIMIT + 1)),
  },
  {
    name: 'GET with an unsupported content encoding',
    method: 'get',
    path: '/healthcheck',
    send: jsonBody('{}', { 'Content-Encoding': 'compress' }),
  },
  ...(['post', 'put', 'patch', 'delete'] as const).flatMap((method): Case[] => [
    { name: method.toUpperCase(), method, path: '/healthcheck' },
    {
      name: `${method.toUpperCase()} with malformed JSON`,
      method,
      path: '/healthcheck',
      send: jsonBody('{'),
    },
    {
      name: `${method.toUpperCase()} over the limit`,
      method,
      path: '/healthcheck',
      send: jsonBody('x'.repeat(BODY_LIMIT + 1)),
    },
    {
      name: `${method.toUpperCase()} in an unsupported charset`,
      method,
      path: '/healthcheck',
      send: jsonBody('{}', { 'Content-Type': 'application/json; charset=iso-8859-1' }),
    },
  ]),
  { name: 'GET of an unknown path', method: 'get', path: '/nothing-here' },
  { name: 'POST to an unknown path', method: 'post', path: '/healthcheck/' },
];

async function answer(c: Case): Promise<Answer> {
  const lifecycle = new Lifecycle();
  if (c.draining) lifecycle.startDraining();
  // As main.ts builds it: the request listener (the probe fast path included) over the service's app.
  const app = createRequestListener(testConfig({ BODY_LIMIT_BYTES: String(BODY_LIMIT) }), logger, {
    lifecycle,
  });
  const agent = request(app);
  let req = agent[c.method](c.path)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
  if (c.send) req = c.send(req);
  const res = await req;
  return {
    status: res.status,
    headers: res.headers,
    text: typeof res.body === 'string' ? res.body : '',
  };
}

/** The documented response for an answer: the operation's, or NotFound for a path not described. */
function documentedFor(doc: OpenApiDocument, c: Case, status: number) {
  const template = describedPath(doc, c.path)?.template;
  const operation = template === undefined ? undefined : doc.paths[template]?.[c.method];
  if (!operation) return status === 404 ? doc.components.responses.NotFound : undefined;
  const response = operation.responses[String(status)];
  return response === undefined ? undefined : resolveResponse(doc, response);
}

const doc = loadOpenApi();
const produced = new Set<string>();

test.each(CASES.map((c) => [c.name, c] as const))('%s answers as the description says', async (_name, c) => {
  const res = await answer(c);
  const described = describedPath(doc, c.path);
  produced.add(`${c.method} ${described?.template ?? c.path} ${res.status}`);
  expect({
    status: res.status,
    problems: [
      ...answerProblems(doc, documentedFor(doc, c, res.status), res),
      ...(described
        ? pathParameterProblems(doc, described.template, c.method, described.parameters, res.status)
        : []),
    ],
  }).toEqual({
    status: res.status,
    problems: [],
  });
  // Not expressible per response in the description without YAML merge keys: checked here instead.
  if (c.method === 'options' || res.status === 405) expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
});

test('every documented operation and status was produced by a request above', () => {
  const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => (HTTP_METHODS as readonly string[]).includes(method))
      .flatMap(([method, operation]) =>
        Object.keys((operation as OpenApiOperation).responses).map((status) => `${method} ${path} ${status}`),
      ),
  );
  expect(documented.filter((entry) => !produced.has(entry))).toEqual([]);
  expect(produced.has('get /nothing-here 404')).toBe(true);
});

test('the title is the service name (src/service.json), as init-template writes it', () => {
  expect(doc.info.title).toBe(SERVICE.name);
});

describe('the checks themselves bite', () => {
  const templated = loadOpenApi(`
openapi: 3.1.0
info: { title: t, version: '1' }
paths:
  /healthcheck: { get: { responses: { '200': { description: ok } } } }
  /api/v1/orders/{id}:
    parameters: [{ name: id, in: path, required: true, schema: { type: integer, minimum: 1 } }]
    get: { responses: { '200': { description: ok }, '404': { description: none } } }
  /api/v1/orders/{id}/lines/{line}:
    get: { responses: { '200': { description: ok } } }
components: { schemas: {}, headers: {}, responses: {} }
`);

  it('matches a request path to its template, literal paths first, parameters decoded', () => {
    expect(describedPath(templated, '/api/v1/orders/42?x=1')).toEqual({
      template: '/api/v1/orders/{id}',
      parameters: { id: '42' },
    });
    expect(describedPath(templated, '/healthcheck')).toEqual({ template: '/healthcheck', parameters: {} });
    expect(describedPath(templated, '/api/v1/orders/')).toBeUndefined();
    expect(describedPath(templated, '/api/v1/orders/42/extra')).toBeUndefined();
  });

  it('reports an undeclared path parameter and a 2xx for a value off its schema', () => {
    expect(pathParameterProblems(templated, '/api/v1/orders/{id}', 'get', { id: '42' }, 200)).toEqual([]);
    expect(pathParameterProblems(templated, '/api/v1/orders/{id}', 'get', { id: '0' }, 404)).toEqual([]);
    expect(pathParameterProblems(templated, '/api/v1/orders/{id}', 'get', { id: 'x' }, 200)).toEqual([
      'GET /api/v1/orders/{id}: id=x answered 200 off its schema',
    ]);
    expect(pathParameterProblems(templated, '/api/v1/orders/{id}/lines/{line}', 'get')).toEqual([
      'GET /api/v1/orders/{id}/lines/{line}: path parameter id is not declared required',
      'GET /api/v1/orders/{id}/lines/{line}: path parameter line is not declared required',
    ]);
  });

  it('reports a missing header, a body off its schema, and an undocumented status', () => {
    const ok = resolveResponse(doc, doc.paths['/healthcheck']!.get!.responses['200']!);
    const headers = Object.fromEntries(
      Object.keys(ok.headers ?? {}).map((name) => [name.toLowerCase(), 'x']),
    ) as Answer['headers'];
    const problems = answerProblems(doc, ok, {
      status: 200,
      headers: { ...headers, 'content-type': 'application/json', 'x-content-type-options': undefined },
      text: JSON.stringify({ myapplication: [{ version: '1' }] }),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'header X-Content-Type-Options is missing',
        expect.stringMatching(/^header Content-Security-Policy: /),
        expect.stringMatching(/^body: .*required property 'description'/),
      ]),
    );
    expect(answerProblems(doc, undefined, { status: 418, headers: {}, text: '' })).toEqual([
      'status 418 is not documented for this operation',
    ]);
    // An error body that echoes the caller's input is off the schema (messages are fixed per status).
    const notFound = doc.components.responses.NotFound;
    const echoed = answerProblems(doc, notFound, {
      status: 404,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      text: JSON.stringify({
        error: { status: 404, code: 'not_found', message: '<script>alert(1)</script>', requestId: 'r1' },
      }),
    });
    expect(echoed).toEqual(expect.arrayContaining([expect.stringMatching(/^body: .*message/)]));
  });
});
