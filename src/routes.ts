/**
 * The service's own routes: the one place a team adds its endpoints (docs/first-day.md, "Add a route").
 * They run behind the same security headers, request ids, body guard, JSON 404/405 and error handler as
 * the health check. `createApp` mounts them by default, so the app every test builds, the app `main.ts`
 * serves and the routes test/unit/openapi-routes.test.ts holds to docs/openapi.yaml are the same app:
 * a route added here and not described there fails `npm test`, and ZAP's API scan attacks what is.
 *
 * Each route names its OpenAPI operation next to its handler, e.g.:
 *
 *   // GET /api/v1/orders/{id} (docs/openapi.yaml: getOrder)
 *   router.get('/api/v1/orders/:id', (req, res) => { … });
 */
import type { Router } from 'express';
import type { Config } from './config.ts';

export type Routes = (router: Router, config: Config) => void;

// The template serves only /healthcheck (app.ts): its own routes start empty.
export const serviceRoutes: Routes = () => undefined;
