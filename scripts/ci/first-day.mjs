// A team's first day, performed on a fresh copy of the template exactly as docs/first-day.md tells it:
// adopt it ("orders-api"), add a route, a setting required in production, a dependency, and move the
// port in one place; each change is committed through the git hooks. Prints the files each change
// touched (docs aside) and fails when a change needs more than its recipe promises: route 3, setting 3,
// port 1. `.ci/run` then runs `npm test` and the container test on the result.
//
//   node scripts/ci/first-day.mjs <fresh clone, after npm ci>
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const copy = resolve(process.argv[2] ?? '.');
const LIMITS = { route: 3, setting: 3, port: 1 };

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: copy, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.error}`);
  }
  return result.stdout;
}

/** An edit a recipe makes: `anchor` must be in the file (once), else the recipe is out of date. */
function edit(path, anchor, replacement) {
  const file = join(copy, path);
  const text = readFileSync(file, 'utf8');
  if (text.split(anchor).length !== 2)
    throw new Error(`${path}: the recipe's anchor is not there once: ${anchor}`);
  writeFileSync(
    file,
    text.replace(anchor, () => replacement),
  );
}
const append = (path, text) => writeFileSync(join(copy, path), readFileSync(join(copy, path), 'utf8') + text);

const hookEnv = { ...process.env };
delete hookEnv.CI;
delete hookEnv.HUSKY;

/** Commits through the hooks, as a developer would (after formatting, as an editor does on save). */
function commit(change, message) {
  const changed = sh('git', ['status', '--porcelain'])
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
  sh(join(copy, 'node_modules', '.bin', 'prettier'), [
    '--write',
    '--ignore-unknown',
    ...changed.filter((path) => !path.endsWith('.json') || path === 'src/service.json'),
  ]);
  sh('git', ['add', '-A']);
  sh(
    'git',
    ['-c', 'user.email=first-day@example.invalid', '-c', 'user.name=First day', 'commit', '-qm', message],
    {
      env: hookEnv,
    },
  );
  const files = sh('git', ['diff', '--name-only', 'HEAD~1', 'HEAD']).split('\n').filter(Boolean);
  const code = files.filter(
    (path) => (path !== 'README.md' && !path.startsWith('docs/')) || path === 'docs/openapi.yaml',
  );
  const limit = LIMITS[change];
  const within = limit === undefined || code.length <= limit;
  console.log(
    `${within ? 'PASS' : 'FAIL'} ${change}: ${code.length} file(s)${limit === undefined ? '' : ` (at most ${limit})`}: ${code.join(', ')}` +
      (files.length > code.length
        ? `; docs: ${files.filter((path) => !code.includes(path)).join(', ')}`
        : ''),
  );
  return within;
}

const results = [];

// 1. Adopt (docs/first-day.md, "Adopt").
sh('npm', [
  'run',
  '--silent',
  'init-template',
  '--',
  '--name',
  'orders-api',
  '--description',
  'Takes orders',
  '--repo',
  'acme/orders-api',
  '--owner',
  '@acme/platform',
]);
results.push(commit('adopt', 'Adopt the template as orders-api'));

// 2. A route (docs/first-day.md, "Add a route"): handler, description, conformance cases.
edit(
  'src/routes.ts',
  'export const serviceRoutes: Routes = () => undefined;',
  `const ORDERS = new Map([[1, { id: 1, status: 'open' }]]);

export const serviceRoutes: Routes = (router) => {
  // GET /api/v1/orders/{id} (docs/openapi.yaml: getOrder)
  router.get('/api/v1/orders/:id', (req, res, next) => {
    const order = ORDERS.get(Number(req.params.id));
    if (order === undefined) {
      next();
      return;
    }
    res.json(order);
  });
};`,
);
append(
  'docs/openapi.yaml',
  `  /api/v1/orders/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema: { type: integer, minimum: 1 }
    get:
      operationId: getOrder
      summary: One order.
      responses:
        '200':
          description: The order.
          headers: *every-response-headers
          content:
            application/json:
              schema:
                type: object
                required: [id, status]
                additionalProperties: false
                properties:
                  id: { type: integer }
                  status: { type: string }
        '404':
          $ref: '#/components/responses/NotFound'
`,
);
edit(
  'test/integration/openapi.test.ts',
  "  { name: 'GET of an unknown path', method: 'get', path: '/nothing-here' },",
  `  { name: 'GET an order', method: 'get', path: '/api/v1/orders/1' },
  { name: 'GET an order that does not exist', method: 'get', path: '/api/v1/orders/404' },
  { name: 'GET of an unknown path', method: 'get', path: '/nothing-here' },`,
);
results.push(commit('route', 'Add GET /api/v1/orders/{id}'));

// 3. A setting required in production, a secret (docs/first-day.md, "Add a setting").
const serviceFile = join(copy, 'src', 'service.json');
const service = JSON.parse(readFileSync(serviceFile, 'utf8'));
service.settings.ORDERS_DB_URL = {
  required: 'production',
  secret: true,
  standIn: 'postgres://stand-in.invalid/orders',
};
writeFileSync(serviceFile, `${JSON.stringify(service, null, 2)}\n`);
edit(
  'src/config.ts',
  '  readonly bodyLimitBytes: number;\n',
  '  readonly bodyLimitBytes: number;\n  readonly ordersDbUrl: string | undefined;\n',
);
edit(
  'src/config.ts',
  'const MAX_DESCRIPTION_LENGTH = 200;\n',
  'const MAX_DESCRIPTION_LENGTH = 200;\nconst POSTGRES_URL_PATTERN = /^postgres(ql)?:\\/\\/\\S{1,500}$/;\n',
);
edit(
  'src/config.ts',
  '    serverLimits: serverLimits(env),\n',
  "    serverLimits: serverLimits(env),\n    ordersDbUrl: matching(env, 'ORDERS_DB_URL', POSTGRES_URL_PATTERN, 'a postgres:// URL'),\n",
);
edit(
  'test/unit/config.test.ts',
  '      serverLimits: SERVER_LIMITS,\n',
  '      serverLimits: SERVER_LIMITS,\n      ordersDbUrl: undefined,\n',
);
append(
  'test/unit/config.test.ts',
  `
test('ORDERS_DB_URL is required in production, and must be a postgres URL', () => {
  expect(failure({ NODE_ENV: 'production' }).message).toBe('ORDERS_DB_URL is required in production');
  expect(failure({ ORDERS_DB_URL: 'mysql://db' }).variable).toBe('ORDERS_DB_URL');
  expect(loadConfig({ NODE_ENV: 'production', ORDERS_DB_URL: 'postgres://db/orders' }, build).ordersDbUrl).toBe(
    'postgres://db/orders',
  );
});
`,
);
edit(
  'README.md',
  '| `SERVER_LIMITS`',
  '| `ORDERS_DB_URL` | required in production (a secret) | a `postgres://` URL |\n| `SERVER_LIMITS`',
);
results.push(commit('setting', 'Add ORDERS_DB_URL, required in production'));

// 4. A dependency (docs/first-day.md, "Add a dependency").
sh('npm', ['install', '--no-audit', '--no-fund', 'zod@^4']);
edit(
  'src/routes.ts',
  "import type { Config } from './config.ts';\n",
  "import { z } from 'zod';\nimport type { Config } from './config.ts';\n",
);
edit(
  'src/routes.ts',
  'ORDERS.get(Number(req.params.id))',
  'ORDERS.get(z.coerce.number().int().catch(0).parse(req.params.id))',
);
results.push(commit('dependency', 'Validate order ids with zod'));

// 5. The port, in one place (docs/first-day.md, "Move the port"), and the docs that quote it.
const moved = JSON.parse(readFileSync(serviceFile, 'utf8'));
const from = moved.port;
moved.port = 5100;
writeFileSync(serviceFile, `${JSON.stringify(moved, null, 2)}\n`);
const readme = join(copy, 'README.md');
writeFileSync(
  readme,
  readFileSync(readme, 'utf8')
    .replaceAll(`localhost:${from}`, 'localhost:5100')
    .replace(`| \`${from}\``, '| `5100`'),
);
results.push(commit('port', `Move the port from ${from} to 5100`));

const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
