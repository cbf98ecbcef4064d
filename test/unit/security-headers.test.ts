import { buildSecurityHeaders } from '../../src/security-headers.ts';

describe('buildSecurityHeaders', () => {
  const headers = new Map(buildSecurityHeaders().map(([name, value]) => [name.toLowerCase(), value]));

  it.each([
    [
      'content-security-policy',
      "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    ],
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
    ['cross-origin-opener-policy', 'same-origin'],
    ['cross-origin-resource-policy', 'same-origin'],
    ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
    ['cache-control', 'no-store'],
  ])('sets %s to %s', (name, value) => {
    expect(headers.get(name)).toBe(value);
  });

  it('turns browser features off with Permissions-Policy', () => {
    const policy = headers.get('permissions-policy') ?? '';
    for (const feature of ['camera', 'geolocation', 'microphone', 'payment', 'usb']) {
      expect(policy).toContain(`${feature}=()`);
    }
  });

  it('sets no header that leaks the stack or opens CORS', () => {
    expect(headers.has('x-powered-by')).toBe(false);
    expect(headers.has('server')).toBe(false);
    expect(headers.has('access-control-allow-origin')).toBe(false);
  });

  it('is a frozen list, computed once', () => {
    const list = buildSecurityHeaders();
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(list[0])).toBe(true);
  });
});

describe('buildSecurityHeaders guards', () => {
  it('refuses a middleware that does not finish synchronously', () => {
    expect(() => buildSecurityHeaders((_req, _res, next) => setImmediate(next))).toThrow(/synchronously/);
  });

  it('refuses a middleware that sets no header', () => {
    expect(() => buildSecurityHeaders((_req, _res, next) => next())).toThrow(/synchronously/);
  });

  it('surfaces an error the middleware reports', () => {
    expect(() => buildSecurityHeaders((_req, _res, next) => next(new Error('bad option')))).toThrow(
      'bad option',
    );
    expect(() => buildSecurityHeaders((_req, _res, next) => next('bad'))).toThrow(
      'helmet rejected its options',
    );
  });
});
