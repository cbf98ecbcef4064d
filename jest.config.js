// Three layers of tests, one project each; coverage counts the service's source under src/.
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
  projects: [project('unit'), project('integration'), project('e2e')],
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov', 'json-summary'],
  coverageThreshold: { global: { lines: 90, branches: 90, functions: 90, statements: 90 } },
};
