/**
 * Every route the Express app serves is in docs/openapi.yaml, so ZAP's API scan attacks all of them.
 * Adding a route without describing it fails here (README: "Add a route").
 */
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { testConfig } from '../support/test-config.ts';
import { loadOpenApi, servedRoutes, undescribedRoutes } from '../support/openapi.ts';

const logger = createLogger('silent');

test('the description is OpenAPI 3.1 and lists every route the app serves, with every method', () => {
  const doc = loadOpenApi();
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  const app = createApp(testConfig(), logger);
  // The introspection itself must see the service's one route, or the check below proves nothing.
  expect(servedRoutes(app)).toContainEqual({ path: '/healthcheck', methods: ['get', 'options', '_all'] });
  expect(undescribedRoutes(app, doc)).toEqual([]);
});

test('a route added without a description is reported, path and method', () => {
  const doc = loadOpenApi();
  const app = createApp(testConfig(), logger, {
    routes: (router) => {
      router.get('/widgets/:id', (_req, res) => res.end());
    },
  });
  expect(undescribedRoutes(app, doc)).toEqual(['/widgets/:id is served but not in docs/openapi.yaml']);

  // A new method on a described path is caught too.
  const withDelete = loadOpenApi();
  delete withDelete.paths['/healthcheck']?.delete;
  expect(undescribedRoutes(createApp(testConfig(), logger), withDelete)).toEqual([
    'DELETE /healthcheck is served but not in docs/openapi.yaml',
  ]);
});

test("a route added in src/routes.ts, main.ts's routes, is in the app every test checks", () => {
  const routes = jest.requireActual<typeof import('../../src/routes.ts')>('../../src/routes.ts');
  const spy = jest.spyOn(routes, 'serviceRoutes').mockImplementation((router) => {
    router.get('/planted/undescribed/:id', (_req, res) => res.end());
  });
  try {
    expect(undescribedRoutes(createApp(testConfig(), logger), loadOpenApi())).toEqual([
      '/planted/undescribed/:id is served but not in docs/openapi.yaml',
    ]);
  } finally {
    spy.mockRestore();
  }
});
