// One Jest project per layer of tests (test/<name>/); coverage counts the service's source under src/.
// unit, integration, e2e: the service. hooks: the git hooks. pipeline: the workflows and policies.
// deploy: the deploy scripts. gates: the local gate runner. reliability: load, shutdown, fuzzing, soak.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    'unit',
    'integration',
    'e2e',
    'hooks',
    'pipeline',
    'deploy',
    'gates',
    'reliability',
    'template',
  ].map((name) => project(name)),
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov', 'json-summary'],
  coverageThreshold: { global: { lines: 90, branches: 90, functions: 90, statements: 90 } },
};
