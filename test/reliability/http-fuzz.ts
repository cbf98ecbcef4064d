/**
 * Generators of raw HTTP/1.x traffic for property-based fuzzing, and the checks every answer must pass.
 * The generators mix what parsers and routers historically got wrong (odd methods and versions, path
 * traversal in its many encodings, NUL bytes, overlong UTF-8, smuggling-style Content-Length and
 * Transfer-Encoding pairs, obsolete line folding, huge or truncated chunked bodies, pipelining) with
 * plain random bytes and Unicode.
 */
import { Socket } from 'node:net';
import fc from 'fast-check';
import { ERROR_MESSAGES } from '../../src/errors.ts';

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');

const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 16 });
const anyText = fc.string({ unit: 'binary', maxLength: 24 });
const rawBytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes));
const utf8 = (text: string) => Buffer.from(text, 'utf8');

// Weighted towards well-formed traffic: a request the parser rejects never reaches the app, so mostly
// valid requests with one odd part exercise the routing, body parsing and error handling behind it.
const method = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'OPTIONS',
      'PATCH',
      'TRACE',
      'PROPFIND',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('get', 'GeT', 'G E T', 'GET\0', '', ' GET', 'M-SEARCH', 'PRI', 'CONNECT'),
  },
  { weight: 1, arbitrary: token },
  { weight: 1, arbitrary: anyText },
);

const PATH_PIECES = [
  '/healthcheck',
  '/healthcheck/',
  '/HEALTHCHECK',
  '/healthcheck?x=1',
  '/healthcheck#fragment',
  '/healthcheck;jsessionid=1',
  '*',
  '/',
  '',
  'http://127.0.0.1/healthcheck',
  'https://evil.example/healthcheck',
  '//healthcheck',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/..%2f..%2fetc%2fpasswd',
  '/%2E%2E%5C%2E%2E%5Cwindows',
  '/..\\..\\',
  '/%00',
  '/healthcheck%00',
  '/healthcheck%00.json',
  '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '/%e0%80%ae%e0%80%ae/',
  '/%c0%af',
  '/%ff%fe%fd',
  '/%',
  '/%zz',
  '/%u002e%u002e/',
  '/%252e%252e/',
  '/héalthcheck',
  '/\u202ehealthcheck',
  '/😀/\u0000/\uffff',
  '/healthcheck/../healthcheck',
  '/./healthcheck',
  '/?__proto__[polluted]=1',
  '/healthcheck?constructor[prototype][polluted]=1',
  '/healthcheck?a[' + '[a]'.repeat(30) + ']=1',
];
const SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '%00',
  '%2f',
  '%5c',
  '\\',
  '%c0%af',
  '%252e',
  'healthcheck',
  '%',
  '',
];

const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PATH_PIECES) },
  {
    weight: 3,
    arbitrary: fc
      .array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) },
          { weight: 4, arbitrary: token },
          { weight: 1, arbitrary: anyText },
        ),
        { maxLength: 6 },
      )
      .map((segments) => `/${segments.join('/')}`),
  },
  // Around and beyond the 8 KiB header limit: the request line counts towards it.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 12_000 }).map((length) => `/${'a'.repeat(length)}`) },
);

const version = fc.oneof(
  { weight: 8, arbitrary: fc.constant('HTTP/1.1') },
  { weight: 2, arbitrary: fc.constant('HTTP/1.0') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'HTTP/2.0',
      'HTTP/0.9',
      'HTTP/3',
      'http/1.1',
      'HTTP/1.10',
      'HTTP/11',
      'HTTP/1.1 extra',
      '',
      'HTTP/1.1\0',
    ),
  },
);

const headerValue = fc.oneof(
  { weight: 6, arbitrary: token },
  { weight: 1, arbitrary: anyText },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', ' ', '\0', '\x7f', '\r', '\n', '\t', 'a\r\n b', '\u00ff', '\ud83d\ude00'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 12_000 }).map((length) => 'v'.repeat(length)) },
);

const KNOWN_HEADER_NAMES = [
  'Host',
  'Content-Length',
  'Transfer-Encoding',
  'Content-Type',
  'Content-Encoding',
  'Expect',
  'Connection',
  'Upgrade',
  'X-Request-Id',
  'X-Forwarded-For',
  'Cookie',
  'Accept',
  'Range',
  'If-None-Match',
  'Trailer',
];
const FIXED_HEADERS = [
  'Content-Length: 5',
  'Content-Length: 0',
  'Content-Length: -1',
  'Content-Length: 99999999999999999999',
  'Content-Length: 1, 2',
  'Content-Length: 0x10',
  'Content-Length:  3 ',
  'Content-Length: 20000',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: chunked, identity',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: xchunked',
  'Transfer-Encoding:\tchunked',
  ' Transfer-Encoding: chunked',
  'Transfer-Encoding : chunked',
  'Content-Type: application/json',
  'Content-Type: application/json; charset=utf-16',
  'Content-Type: application/json; charset=bogus',
  'Content-Type: application/x-www-form-urlencoded',
  'Content-Type: multipart/form-data; boundary=x',
  'Content-Encoding: gzip',
  'Content-Encoding: br',
  'Content-Encoding: deflate',
  'Content-Encoding: zstd',
  'Content-Encoding: gzip, gzip',
  'Expect: 100-continue',
  'Expect: nonsense',
  'Connection: keep-alive',
  'Connection: close',
  'Connection: Upgrade',
  'Upgrade: websocket',
  'Upgrade: h2c',
  'Host: ',
  'Host: a\0b',
  'Host: 127.0.0.1:99999',
  'X-Request-Id: ../../etc/passwd',
  'X-Request-Id: a\tb',
  'Folded: first\r\n second',
  ':no-name',
  'No-Colon',
];

const headerLine = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...KNOWN_HEADER_NAMES), headerValue)
      .map(([name, value]) => `${name}: ${value}`),
  },
  { weight: 3, arbitrary: fc.tuple(token, headerValue).map(([name, value]) => `${name}: ${value}`) },
  { weight: 1, arbitrary: fc.tuple(anyText, anyText).map(([name, value]) => `${name}:${value}`) },
  { weight: 1, arbitrary: fc.constant('Content-Type: application/json') },
  { weight: 2, arbitrary: fc.constantFrom(...FIXED_HEADERS) },
);

const JSON_BODIES = [
  '{}',
  '{"a":1}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":',
  'null',
  '"text"',
  '[1,2',
  '\ufeff{}',
  '{"a":"\ud800"}',
  '{"a":1,"a":2}',
];

const chunkedBody = fc
  .record({
    chunks: fc.array(fc.string({ maxLength: 64 }), { maxLength: 5 }),
    sizeStyle: fc.constantFrom('exact', 'exact', 'too-big', 'too-small', 'huge', 'negative', 'not-hex'),
    extension: fc.constantFrom('', ';ext=1', ';' + 'e'.repeat(200), ' ', '\0'),
    terminated: fc.boolean(),
    trailer: fc.constantFrom('', 'X-Trailer: 1\r\n', 'Content-Length: 5\r\n'),
  })
  .map(({ chunks, sizeStyle, extension, terminated, trailer }) => {
    const encoded = chunks.map((chunk) => {
      const length = Buffer.byteLength(chunk);
      const size =
        sizeStyle === 'too-big'
          ? (length + 3).toString(16)
          : sizeStyle === 'too-small'
            ? Math.max(0, length - 1).toString(16)
            : sizeStyle === 'huge'
              ? 'ffffffffffffffffffff'
              : sizeStyle === 'negative'
                ? '-1'
                : sizeStyle === 'not-hex'
                  ? 'zz'
                  : length.toString(16);
      return `${size}${extension}\r\n${chunk}\r\n`;
    });
    return utf8(encoded.join('') + (terminated ? `0\r\n${trailer}\r\n` : ''));
  });

const body = fc.oneof(
  fc.constantFrom(...JSON_BODIES).map(utf8),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => utf8('['.repeat(depth) + ']'.repeat(depth))),
  fc.integer({ min: 1, max: 40_000 }).map((length) => utf8(`"${'x'.repeat(length)}"`)),
  rawBytes(200),
);

/** The body and how it is framed: by its length, a wrong length, chunks, or not at all. */
const framedBody = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ framing: 'none', body: Buffer.alloc(0) }) },
  { weight: 4, arbitrary: body.map((bytes) => ({ framing: 'content-length', body: bytes })) },
  { weight: 3, arbitrary: chunkedBody.map((bytes) => ({ framing: 'chunked', body: bytes })) },
  { weight: 1, arbitrary: body.map((bytes) => ({ framing: 'length-off-by-some', body: bytes })) },
  {
    weight: 1,
    arbitrary: fc.oneof(body, chunkedBody).map((bytes) => ({ framing: 'unframed', body: bytes })),
  },
);

const tameChunkedBody = fc
  .array(fc.string({ minLength: 1, maxLength: 64 }), { maxLength: 4 })
  .map((chunks) =>
    utf8(
      chunks.map((chunk) => `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`).join('') +
        '0\r\n\r\n',
    ),
  );

interface RequestParts {
  readonly method: string;
  readonly path: string;
  readonly version: string;
  readonly separator: string;
  readonly lineEnd: string;
  readonly host: boolean;
  readonly headers: readonly string[];
  readonly offBy: number;
  readonly framedBody: { readonly framing: string; readonly body: Buffer };
}

function assemble(r: RequestParts): Buffer {
  const { framing, body } = r.framedBody;
  const headers = [...(r.host ? ['Host: 127.0.0.1'] : []), ...r.headers];
  if (framing === 'content-length') headers.push(`Content-Length: ${body.length}`);
  if (framing === 'length-off-by-some') headers.push(`Content-Length: ${Math.max(0, body.length + r.offBy)}`);
  if (framing === 'chunked') headers.push('Transfer-Encoding: chunked');
  const head = `${r.method}${r.separator}${r.path}${r.separator}${r.version}${r.lineEnd}${headers
    .map((line) => `${line}${r.lineEnd}`)
    .join('')}${r.lineEnd}`;
  return Buffer.concat([utf8(head), body]);
}

/** Anything goes in every part: mostly refused by Node's parser, which must refuse it cleanly. */
const wildRequest = fc
  .record({
    method,
    path,
    version,
    separator: fc.oneof({ weight: 12, arbitrary: fc.constant(' ') }, fc.constantFrom('  ', '\t')),
    lineEnd: fc.oneof({ weight: 12, arbitrary: fc.constant('\r\n') }, fc.constantFrom('\n', '\r')),
    host: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, fc.constant(false)),
    headers: fc.array(headerLine, { maxLength: 4 }),
    offBy: fc.integer({ min: -10, max: 10 }),
    framedBody,
  })
  .map(assemble);

/** Well-formed HTTP with odd content (paths, header values, JSON bodies): what reaches the app. */
const parsableRequest = fc
  .record({
    method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE'),
    path: fc.oneof(
      fc.constantFrom(...PATH_PIECES.filter((piece) => /^[\x21-\x7e]+$/.test(piece))),
      fc.array(fc.oneof(fc.constantFrom(...SEGMENTS), token), { maxLength: 6 }).map((s) => `/${s.join('/')}`),
    ),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
    separator: fc.constant(' '),
    lineEnd: fc.constant('\r\n'),
    host: fc.constant(true),
    headers: fc.array(
      fc.oneof(
        fc
          .tuple(fc.constantFrom(...KNOWN_HEADER_NAMES.slice(3)), token)
          .map(([name, value]) => `${name}: ${value}`),
        fc.constantFrom(
          ...FIXED_HEADERS.filter((line) =>
            /^(Content-Type|Content-Encoding|Expect|Connection|X-)/.test(line),
          ),
        ),
      ),
      { maxLength: 4 },
    ),
    offBy: fc.constant(0),
    framedBody: fc.oneof(
      fc.constant({ framing: 'none', body: Buffer.alloc(0) }),
      body.map((bytes) => ({ framing: 'content-length', body: bytes })),
      tameChunkedBody.map((bytes) => ({ framing: 'chunked', body: bytes })),
    ),
  })
  .map(assemble);

const request = fc.oneof(wildRequest, parsableRequest);

/** One connection's worth of traffic: pipelined requests, maybe cut short, written in pieces. */
export const traffic = fc
  .record({
    requests: fc.array(
      fc.oneof({ weight: 19, arbitrary: request }, { weight: 1, arbitrary: rawBytes(300) }),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    truncateAt: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    splits: fc.array(fc.nat(), { maxLength: 3 }),
  })
  .map(({ requests, truncateAt, splits }) => {
    const whole = Buffer.concat(requests);
    const bytes = truncateAt === null ? whole : whole.subarray(0, truncateAt % (whole.length + 1));
    const cuts = [...new Set(splits.map((at) => at % (bytes.length + 1)))].sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    let start = 0;
    for (const cut of cuts) {
      pieces.push(bytes.subarray(start, cut));
      start = cut;
    }
    pieces.push(bytes.subarray(start));
    return pieces.filter((piece) => piece.length > 0);
  });

export interface Exchange {
  readonly response: string;
  /** True when the server neither answered in full nor closed within the wait; not a failure in itself. */
  readonly timedOut: boolean;
}

/** Sends the pieces, half-closes, and collects whatever comes back until the server closes. */
export function exchange(port: number, pieces: readonly Buffer[], waitMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const received: Buffer[] = [];
    const done = (timedOut: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ response: Buffer.concat(received).toString('latin1'), timedOut });
    };
    const timer = setTimeout(() => done(true), waitMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => done(false));
    socket.connect({ host: '127.0.0.1', port }, () => {
      for (const piece of pieces) socket.write(piece);
      socket.end();
    });
  });
}

const KNOWN_MESSAGES = new Set(Object.values(ERROR_MESSAGES));

// What must never reach a client: stack frames, source or install paths, exception names and
// messages from the parser or the runtime, and Express's HTML error page.
const LEAKS: readonly [string, RegExp][] = [
  ['a stack frame', /\bat \S+ \(|\n\s+at \S/],
  ['a source path', /\/src\/|\/dist\/|node_modules|\.[cm]?[jt]s:\d/],
  ['an exception', /\b\w*Error\b[:]|Exception/],
  ['a JSON parser message', /Unexpected token|Unexpected end|is not valid JSON|in JSON at position/],
  ['a system error code', /\b(?:ECONN\w+|EPIPE|ERR_\w+|HPE_\w+)\b/],
  ['an HTML page', /<html|<!DOCTYPE|<pre>/i],
];

/** The reasons a raw response breaks the contract, or an empty list. */
export function contractViolations(response: string): string[] {
  // The request id a client sends is echoed by design, but only when it is a short plain token: remove
  // it so a fuzzed id such as "node_modules" is not mistaken for a leak.
  const text = response
    .replace(/^X-Request-Id: [A-Za-z0-9._:-]{1,64}\r$/gim, 'X-Request-Id: <echoed>\r')
    .replace(/"requestId":"[A-Za-z0-9._:-]{1,64}"/g, '"requestId":"<echoed>"');
  const problems: string[] = [];
  for (const match of text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)) {
    if (Number(match[1]) >= 500) problems.push(`status ${match[1]}`);
  }
  for (const [what, pattern] of LEAKS) {
    if (pattern.test(text)) problems.push(`contains ${what}`);
  }
  for (const match of text.matchAll(/"message":"([^"]*)"/g)) {
    if (!KNOWN_MESSAGES.has(match[1] ?? '')) problems.push(`unknown error message ${match[1]}`);
  }
  return problems;
}
