/**
 * The security headers every response carries, computed once at start-up.
 *
 * helmet produces the standard set, configured for a JSON API rather than for HTML pages. Instead of
 * running helmet's dozen middlewares on every request, we run them once against a recording response
 * and keep the headers they set: the request path then only copies a frozen list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

export type HeaderList = readonly (readonly [name: string, value: string])[];

const HSTS_ONE_YEAR_SECONDS = 31_536_000;

// A JSON API loads nothing and must never be framed: the strictest policy is also the correct one.
// helmet's default policy is made for HTML and allows `style-src 'unsafe-inline'`, which scanners flag.
// base-uri and form-action do not fall back to default-src, so they are closed explicitly (ZAP 10055).
const helmetForJsonApi = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  crossOriginEmbedderPolicy: { policy: 'require-corp' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: { maxAge: HSTS_ONE_YEAR_SECONDS, includeSubDomains: true },
  xFrameOptions: { action: 'deny' },
  xPoweredBy: false,
});

// helmet has no Permissions-Policy and leaves caching alone; an API answer must not be cached by a
// shared proxy (it can carry per-caller data once users add routes), and no browser feature is needed.
const EXTRA_HEADERS: HeaderList = [
  [
    'Permissions-Policy',
    'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), ' +
      'microphone=(), payment=(), publickey-credentials-get=(), usb=(), interest-cohort=()',
  ],
  ['Cache-Control', 'no-store'],
];

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Runs helmet once and returns the headers it set, plus ours. */
export function buildSecurityHeaders(middleware: Middleware = helmetForJsonApi): HeaderList {
  const recorded: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded.push([name, String(value)]);
      return recorder;
    },
  };
  let completed = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    // helmet fails only on invalid options, and ours are constants: a failure is a programming error.
    if (err) throw err instanceof Error ? err : new Error('helmet rejected its options');
    completed = true;
  });
  // helmet is synchronous today; if that ever changes we must notice rather than ship no headers.
  if (!completed || recorded.length === 0) {
    throw new Error('helmet did not produce its headers synchronously');
  }
  return Object.freeze([...recorded, ...EXTRA_HEADERS].map((pair) => Object.freeze(pair)));
}
