// One Jest project per layer of tests (test/<name>/); coverage counts the service (src/) and the code
// that decides whether a gate bites (security/, scripts/), with one floor for all of it.
// unit, integration, e2e: the service. hooks: the git hooks' installation and daemon. pipeline: the
// workflows and policies. deploy: the deploy scripts. gates: the local gate runner. reliability: load,
// shutdown, fuzzing, soak. Two projects are named files instead: scanners and tooling (below).
import { availableParallelism } from 'node:os';
import tsconfigFile from './tsconfig.json' with { type: 'json' };

// Jest loads what it tests as CommonJS (docs/decisions.md, "ES modules, and Jest's CommonJS"): the
// project's compiler options, with the module system ts-jest emits for Jest.
const tsconfig = {
  ...tsconfigFile.compilerOptions,
  module: 'commonjs',
  moduleResolution: 'bundler',
  // allowJs (security/sarif-reader.mjs) makes ts-jest name an output directory, which TypeScript 6
  // then wants a root for.
  rootDir: import.meta.dirname,
};
const transform = {
  '^.+\\.mjs$': '<rootDir>/test/support/import-meta-as-commonjs.ts',
  '^.+\\.ts$': [
    'ts-jest',
    {
      tsconfig,
      astTransformers: { before: ['<rootDir>/test/support/import-meta-as-commonjs.ts'] },
      // TS1343: import.meta outside an ES module output; the transformer above rewrites every use, and
      // `npm run typecheck` checks the files as the ES modules they are.
      diagnostics: { ignoreCodes: [1343] },
    },
  ],
};
// The tests that run a real scanner (Trivy on a pushed image, Checkov, hadolint on every handed-over
// Dockerfile rule) where scripts/ci/install-tools.sh installed it: about a minute and a half of work
// when the tools are there. They are their own project, run by `npm run test:scanners` (which .ci/run
// runs, with SHS_REQUIRE_TOOLS=1) beside the scanners' own checks, and left out of `npm test`.
const SCANNER_TESTS = [
  'test/gates/vex-trivy.test.ts',
  'test/gates/checkov-native.test.ts',
  'test/pipeline/dockerfile-tools.test.ts',
];
// The developer's tools end to end, each on a throw-away copy of the repository: commits and pushes
// through the real hooks (the pre-push hook runs tsc and Jest in the copy), the secret engines through
// those commits and the history scan, one planted defect per gate (the tests gate builds and runs Jest
// in its copy), and init-template. Each runs the real tools dozens of times: on our 2-core machines they
// were 40 s of `npm test`'s 105. They are their own project, run by `npm run test:tooling` (which .ci/run
// runs, as it runs the scanners and the reliability suites at their real limits, and which a pull
// request touching the hooks, the gates or init-template should run), and left out of `npm test`.
const TOOLING_TESTS = [
  'test/hooks/hooks.test.ts',
  'test/hooks/secret-scan.test.ts',
  'test/gates/bites.test.ts',
  'test/template/init-template.test.ts',
];
const OWN_PROJECT = [...SCANNER_TESTS, ...TOOLING_TESTS];
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  testPathIgnorePatterns: ['/node_modules/', ...OWN_PROJECT.map((path) => `<rootDir>/${path}`)],
  ...extra,
});
/** A project of named files from several directories. */
const listed = (name, paths) => ({
  ...project(name),
  testMatch: paths.map((path) => `<rootDir>/${path}`),
  testPathIgnorePatterns: ['/node_modules/'],
});

// The deploy tests run each deploy script end to end (bash, jq, curl, the stand-in CLIs and a local HTTPS
// server): a few seconds each on a quiet machine, and past Jest's default 5 s when CI runs other suites
// beside them (a cold CI run failed one at load 20). The scripts' own deadlines are what the tests check.
const PROJECT_OPTIONS = {
  deploy: { setupFilesAfterEnv: ['<rootDir>/test/support/deploy-timeout.ts'] },
};

/** @type {import('jest').Config} */
export default {
  // Jest's default is one worker per core but one, which on the 2-core machines we run on means one file
  // at a time. Much of the suite waits (on child processes: git, bash, the built service; on the
  // reliability deadlines, scaled or not), so one file more than there are cores keeps them busy while
  // one waits: on 2 quiet cores, 3 workers took `npm test`'s Jest from about 80 s to 60-74 s.
  maxWorkers: availableParallelism() + 1,
  // With the other tools' caches (ESLint, Prettier, tsc), not in the system's temporary folder: a
  // checkout keeps its transformed files from one run to the next, and a throw-away copy of the
  // project (test/support/repository.ts) keeps its own.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  projects: ['unit', 'integration', 'e2e', 'hooks', 'pipeline', 'deploy', 'gates', 'reliability']
    .map((name) => project(name, PROJECT_OPTIONS[name]))
    .concat(listed('scanners', SCANNER_TESTS), listed('tooling', TOOLING_TESTS)),
  collectCoverageFrom: [
    'src/**/*.ts',
    'security/**/*.{ts,mjs}',
    'scripts/**/*.mjs',
    // Left out, each for a reason; what they hold is tested, but not where Jest can count it:
    // - deliberately flawed variants for the gate self-test workflow, never run here;
    '!security/self-test/**',
    // - type declarations, no code;
    '!**/*.d.ts',
    // - command-line entry files with top-level effects, run as child processes by the tests that use them
    //   (Jest counts only what it loads in process): run.ts (test/gates/cli.test.ts), sarif-gate.mjs
    //   (test/pipeline/sarif-gate.test.ts), and every script under scripts/ (build, ensure-build, prepare
    //   and lint-sarif run through npm scripts in npm test and the hooks tests; init-template in
    //   test/template/init-template.test.ts; node-line-guard.mjs in test/pipeline/node-line-guard.test.ts; pre-commit in
    //   test/hooks; docs-tables.ts only writes the tables that security/ generates and the pipeline tests
    //   compare; ci/ is shell). They run as their own processes, and what logic they hold is small enough to stay there;
    '!security/gates/run.ts',
    '!security/sarif-gate.mjs',
    '!scripts/**',
    // - the same for the two entry files of the publish and summary jobs, whose logic lives in the modules
    //   they call and is tested in process there: gate-attestation.ts (attestation/gate-results.ts main(),
    //   test/pipeline/gate-attestation.test.ts, which also runs the file itself) and write-summary.ts
    //   (summary.ts, test/pipeline/pipeline-design.test.ts);
    '!security/gate-attestation.ts',
    '!security/gates/write-summary.ts',
    // - the actionlint job's converter, an entry file of four lines around workflow-linters.ts's
    //   actionlintSarif (tested in process there); test/gates/workflow-linters.test.ts runs the file itself;
    '!security/gates/actionlint-sarif.ts',
    // - the secret scanners and their gitleaks driver, which test/hooks/secret-scan.test.ts runs as their
    //   own processes, as the hooks and CI do;
    '!security/secret-scan.mjs',
    '!security/secrets-history.mjs',
    '!security/gitleaks.mjs',
    // - the gates that drive a container engine and the scanners' images (build, Trivy, Checkov, ZAP):
    //   neither the engine's scanner images nor their registries are reachable here, so those paths run
    //   only in CI and in `npm run gates` on a machine with an engine; the parts that need neither
    //   (scannerImage, pinnedBaseImages, the needs* checks) are tested in test/gates and test/unit.
    '!security/gates/containers.ts',
    //   Likewise the stand-in bases they build on (standin-bases.mjs: podman import of a root filesystem),
    //   run by the container test, the scanner test and `npm run gates -- --standin-bases` in .ci/run.
    '!security/gates/standin-bases.mjs',
  ],
  coverageReporters: ['text-summary', 'lcov', 'json-summary'],
  coverageThreshold: {
    global: { lines: 90, branches: 90, functions: 90, statements: 90 },
    // security/ as a whole (a directory key is one aggregate, taken out of global), at the same floor as
    // src/. scripts/ is left out above (child-process CLIs); the logic worth counting lives in security/.
    './security/': { lines: 90, branches: 90, functions: 90, statements: 90 },
  },
};
