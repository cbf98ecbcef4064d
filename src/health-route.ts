/**
 * Where the service answers its health check. Its own module, with no imports, because the image's
 * HEALTHCHECK runs the probe every 30 s inside the service's memory limit: importing it from `app.ts`
 * would load Express, helmet and pino into every probe (test/unit/healthprobe.test.ts keeps them out).
 */
export const HEALTH_PATH = '/healthcheck';
