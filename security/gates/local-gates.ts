/**
 * Every gate `npm run gates` runs, in order: the same checks as CI, reading the same policy files.
 * A gate is one entry; wiring in a new check is one more entry here.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildImage,
  needsBaseImages,
  needsBuiltImage,
  needsEngine,
  needsScanner,
  ranWith,
  runCheckov,
  runHadolint,
  runOsvScanner,
  runSchemathesis,
  runTrivy,
  runZap,
  runZapApi,
  OPENAPI_DESCRIPTION,
  ZAP_API_RULES,
} from './containers.ts';
import type { Gate, GateContext, GateOutcome, Requirement } from './gate.ts';
import { byExitCode, lastLines } from './gate.ts';
import { reusableTestResult } from './test-result.ts';
import { runDockerfilePolicy, runWorkflowPolicy, WORKFLOW_POLICY_MODULE } from './policies.ts';
import { describeResults, readSarifResults, toSarif, writeSarif } from './sarif.ts';
import { needsLinter, runActionlint, runZizmor } from './workflow-linters.ts';
import { describeSelection, selectTool, type ToolSelection } from './tools.ts';

// ---- requirements ---------------------------------------------------------------------------------

function packageScripts(root: string): Record<string, string> {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    return manifest.scripts ?? {};
  } catch {
    return {};
  }
}

/** The npm script that holds the policy (package.json is where CI reads it too). */
const needsScript =
  (name: string, provider: string): Requirement =>
  (context) =>
    packageScripts(context.root)[name] === undefined
      ? { reason: `package.json has no "${name}" script`, howTo: provider }
      : undefined;

const needsFile =
  (path: string, provider: string): Requirement =>
  (context) =>
    existsSync(join(context.root, path)) ? undefined : { reason: `${path} is missing`, howTo: provider };

// ---- command gates --------------------------------------------------------------------------------

async function eslint(context: GateContext): Promise<GateOutcome> {
  const result = await context.run('npm', ['run', '--silent', 'lint:sarif']);
  const results = readSarifResults(join(context.reportsDir, 'eslint.sarif'));
  if (results === undefined) return byExitCode(result, undefined);
  return byExitCode(result, results.length, describeResults(results));
}

async function prettier(context: GateContext): Promise<GateOutcome> {
  const result = await context.run('npm', ['run', '--silent', 'format:check']);
  const files = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => /^\[warn\] /.test(line) && !/Code style issues|Run Prettier/.test(line))
    .map((line) => `${line.replace(/^\[warn\] /, '')} is not formatted (prettier --write)`);
  return byExitCode(result, files.length, files);
}

async function typecheck(context: GateContext): Promise<GateOutcome> {
  const result = await context.run('npm', ['run', '--silent', 'typecheck']);
  const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
  return byExitCode(result, errors.length, errors.slice(0, 20));
}

interface SecretlintFile {
  filePath: string;
  messages: { ruleId: string; message: string; loc?: { start?: { line?: number } } }[];
}

async function secrets(context: GateContext): Promise<GateOutcome> {
  // The project's `secrets` script with JSON output, turned into SARIF for code scanning.
  const result = await context.run('npm', ['run', '--silent', 'secrets', '--', '--format', 'json']);
  let files: SecretlintFile[];
  try {
    files = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as SecretlintFile[];
  } catch {
    return byExitCode(result, undefined);
  }
  const findings = files.flatMap((file) =>
    file.messages.map((message) => ({
      rule: message.ruleId,
      file: file.filePath.startsWith(context.root)
        ? file.filePath.slice(context.root.length + 1)
        : file.filePath,
      line: message.loc?.start?.line,
      message: message.message,
    })),
  );
  const sarifPath = join(context.reportsDir, 'secretlint.sarif');
  writeSarif(
    sarifPath,
    toSarif(
      { name: 'secretlint', informationUri: 'https://github.com/secretlint/secretlint', rules: {} },
      findings,
    ),
  );
  return byExitCode(result, findings.length, describeResults(readSarifResults(sarifPath) ?? []));
}

const GITLEAKS_KEY = 'tool:gitleaks';

/** gitleaks at the version security/tools.json pins (it has no image): the history scan's only engine. */
const needsGitleaks: Requirement = async (context) => {
  const selection = await selectTool({ root: context.root, tool: 'gitleaks', engine: undefined });
  context.shared.set(GITLEAKS_KEY, selection);
  return selection.kind === 'not run' ? { reason: selection.reason, howTo: selection.howTo } : undefined;
};

/**
 * The commits this clone would push: those after the branch's upstream, or, with no upstream, those no
 * other branch or tag holds (the script's own rule for a new branch), so a secret committed and
 * deleted again before the push is still found. Exit 2 is gitleaks not having scanned: not run.
 */
async function secretsHistory(context: GateContext): Promise<GateOutcome> {
  const selection = context.shared.get(GITLEAKS_KEY) as ToolSelection | undefined;
  if (selection?.kind !== 'native') throw new Error('needsGitleaks did not run before the gate');
  const upstream = await context.run('git', ['rev-parse', '--verify', '--quiet', '@{upstream}']);
  const base = upstream.status === 0 ? upstream.stdout.trim() : '';
  const sarifPath = join(context.reportsDir, 'secrets-history.sarif');
  const result = await context.run(
    process.execPath,
    [
      join(context.root, 'security', 'secrets-history.mjs'),
      '--base',
      base,
      '--head',
      'HEAD',
      '--sarif',
      sarifPath,
    ],
    { env: { GITLEAKS: selection.path } },
  );
  const via = describeSelection(selection);
  if (result.status === 2) {
    return {
      status: 'not run',
      reason: lastLines(result.stderr, 2),
      howTo: 'check that gitleaks runs and .gitleaks.toml parses, then rerun',
      via,
    };
  }
  const results = readSarifResults(sarifPath);
  if (results === undefined) return { ...byExitCode(result, undefined), via };
  return { ...byExitCode(result, results.length, describeResults(results)), via };
}

interface JestReport {
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: { name: string; message: string; assertionResults: { status: string; fullName: string }[] }[];
}

async function tests(context: GateContext): Promise<GateOutcome> {
  // `npm test` just passed on this very tree: its result stands (the whole suite with the floor, a
  // superset of what would run here), rather than the suite running twice in a row.
  const kept = context.testFiles === undefined ? reusableTestResult(context.root) : undefined;
  if (kept !== undefined) {
    copyFileSync(join(context.root, kept.report), join(context.reportsDir, 'jest.json'));
    const parsed = JSON.parse(readFileSync(join(context.reportsDir, 'jest.json'), 'utf8')) as JestReport;
    return {
      status: 'passed',
      findings: parsed.numFailedTests + parsed.numRuntimeErrorTestSuites,
      details: [`reused the result of npm test on this tree (${kept.tree.slice(0, 12)}), not run again`],
    };
  }
  const build = await context.run('npm', ['run', '--silent', 'build']);
  if (build.status !== 0) return { ...byExitCode(build, undefined), reason: 'npm run build failed' };
  const report = join(context.reportsDir, 'jest.json');
  const selection =
    context.testFiles !== undefined
      ? ['--runTestsByPath', ...context.testFiles]
      : // The gate runner's own tests run this runner: running them from here would recurse. The runner's
        // code is then counted by no test, so it leaves this run's coverage (npm test counts it). The
        // real-scanner tests are left out as npm test leaves them (the scanner gates run those tools), and
        // so are the tooling tests (npm run test:tooling), one of which runs this gate in a copy.
        [
          '--coverage',
          '--ignoreProjects',
          'gates',
          'scanners',
          'tooling',
          '--coveragePathIgnorePatterns',
          '/security/gates/',
        ];
  const result = await context.run(
    process.execPath,
    [
      join(context.root, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--ci',
      ...selection,
      '--json',
      '--outputFile',
      report,
    ],
    { env: { CI: 'true' } },
  );
  let parsed: JestReport;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8')) as JestReport;
  } catch {
    return byExitCode(result, undefined);
  }
  const failures = parsed.testResults.flatMap((suite) => {
    const file = suite.name.startsWith(context.root) ? suite.name.slice(context.root.length + 1) : suite.name;
    const failed = suite.assertionResults.filter((assertion) => assertion.status === 'failed');
    if (failed.length === 0 && suite.message) return [`${file}: ${lastLines(suite.message, 2)}`];
    return failed.map((assertion) => `${file}: ${assertion.fullName}`);
  });
  const outcome = byExitCode(result, parsed.numFailedTests + parsed.numRuntimeErrorTestSuites, failures);
  // Every test passed but jest still failed: the coverage floor. Jest names each unmet threshold before
  // its summary (@jest/reporters: "Jest: Coverage for branches (87.06%) does not meet …", or "Jest:
  // Uncovered count for …"), so those lines, not the last ones, which are the summary.
  const unmet = result.stderr
    .split('\n')
    .filter((line) => /^Jest: (Coverage|Uncovered count) for /.test(line));
  return outcome.status === 'failed' && !outcome.findings
    ? {
        ...outcome,
        reason: 'coverage below the floor in jest.config.js',
        details: unmet.length > 0 ? unmet : [lastLines(result.stderr, 6)],
      }
    : outcome;
}

const NETWORK_ERROR =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network|request to .* failed/i;

interface AuditReport {
  error?: { code?: string; summary?: string; detail?: string };
  message?: string;
  metadata?: { vulnerabilities?: Record<string, number> };
  vulnerabilities?: Record<string, { severity: string; via: unknown[]; range?: string }>;
}

async function audit(context: GateContext): Promise<GateOutcome> {
  const result = await context.run('npm', ['audit', '--audit-level=high', '--json'], { timeoutMs: 120_000 });
  let report: AuditReport;
  try {
    report = JSON.parse(result.stdout) as AuditReport;
  } catch {
    report = {};
  }
  const problem = `${report.error?.code ?? ''} ${report.error?.summary ?? ''} ${report.message ?? ''} ${result.error ?? ''} ${result.stderr}`;
  if (report.metadata?.vulnerabilities === undefined) {
    // No vulnerability data came back: the audit did not happen, which is neither a pass nor a finding.
    const why = `${report.error?.summary ?? ''} ${problem.match(/npm warn audit .*/)?.[0] ?? ''}`.trim();
    return {
      status: 'not run',
      reason: `npm audit got no answer from the registry's audit endpoint${why ? `: ${why}` : ''}`,
      howTo: NETWORK_ERROR.test(problem)
        ? 'run where registry.npmjs.org (or your configured registry) is reachable'
        : 'run where the registry serves the audit endpoint (/-/npm/v1/security/advisories/bulk)',
    };
  }
  // npm audit has no SARIF; its JSON goes beside the SARIF files for the record.
  mkdirSync(context.reportsDir, { recursive: true });
  writeFileSync(join(context.reportsDir, 'npm-audit.json'), result.stdout);
  const counts = report.metadata.vulnerabilities;
  const high = (counts.high ?? 0) + (counts.critical ?? 0);
  const details = Object.entries(report.vulnerabilities ?? {})
    .filter(([, entry]) => entry.severity === 'high' || entry.severity === 'critical')
    .map(([name, entry]) => `${name} ${entry.range ?? ''}: ${entry.severity} (npm audit fix / npm update)`);
  return byExitCode(result, high, details);
}

const LOCKFILE_GATE = 'security/dependencies/lockfile-lint-gate.sh';

/**
 * lockfile-lint itself, judged by the script CI's dependencies job runs: its exit code and its words
 * (exit 0 alone also means "matched no lockfile"). Each finding is one of the CLI's "detected …" paragraphs.
 */
async function lockfile(context: GateContext): Promise<GateOutcome> {
  const log = join(context.reportsDir, 'lockfile-lint.txt');
  mkdirSync(context.reportsDir, { recursive: true });
  const result = await context.run('bash', [join(context.root, LOCKFILE_GATE), log]);
  const paragraphs = (existsSync(log) ? readFileSync(log, 'utf8') : '').split(/\n\s*\n/);
  const details = paragraphs
    .filter((paragraph) => paragraph.startsWith('detected '))
    .map((paragraph) =>
      paragraph
        .trim()
        .split('\n')
        .map((line) => line.trim())
        .join(' '),
    );
  if (result.status === 3) {
    return { status: 'not run', reason: lastLines(result.stdout, 1), howTo: 'npm ci' };
  }
  const named = /^::error title=Finding::(.*)$/m.exec(result.stdout)?.[1];
  const outcome = byExitCode(result, result.status === 0 ? 0 : Math.max(details.length, 1), details);
  return details.length === 0 && named !== undefined ? { ...outcome, details: [named] } : outcome;
}

// ---- the list -------------------------------------------------------------------------------------

const HOOKS_BRANCH =
  'the secret-scan script comes with the pre-commit hooks (npm run secrets, .secretlintrc.json)';
const PIPELINE_BRANCH = 'comes with the CI pipeline (security/, checkov.yaml, .github/workflows/)';

export const GATES: readonly Gate[] = [
  {
    name: 'eslint',
    description: 'ESLint with eslint-plugin-security, every warning an error (SARIF)',
    reports: ['reports/eslint.sarif'],
    needs: [needsScript('lint:sarif', 'scripts/lint-sarif.mjs')],
    run: eslint,
    runsWith: 'npm:eslint',
  },
  {
    name: 'prettier',
    description: 'Prettier check of the whole tree',
    reports: [],
    needs: [needsScript('format:check', 'add "format:check": "prettier --check ."')],
    run: prettier,
    runsWith: 'npm:prettier',
  },
  {
    name: 'typecheck',
    description: 'TypeScript type check (tsc --noEmit)',
    reports: [],
    needs: [needsScript('typecheck', 'add "typecheck": "tsc -p tsconfig.json --noEmit"')],
    run: typecheck,
    runsWith: 'npm:typescript',
  },
  {
    name: 'secrets',
    description: 'Secret scan of the whole tree (secretlint, .secretlintrc.json)',
    reports: ['reports/secretlint.sarif'],
    needs: [needsScript('secrets', HOOKS_BRANCH), needsFile('.secretlintrc.json', HOOKS_BRANCH)],
    run: secrets,
    runsWith: 'npm:secretlint',
  },
  {
    name: 'secrets-history',
    description:
      'gitleaks over every commit not yet pushed, added and deleted ones too (security/secrets-history.mjs)',
    reports: ['reports/secrets-history.sarif'],
    needs: [
      needsFile('security/secrets-history.mjs', HOOKS_BRANCH),
      needsFile('.gitleaks.toml', HOOKS_BRANCH),
      needsFile('.git', 'a git checkout (the scan reads its history)'),
      needsGitleaks,
    ],
    run: secretsHistory,
    tool: 'gitleaks',
  },
  {
    name: 'tests',
    description: 'Build, then every jest project but this runner’s own, with the coverage floor',
    reports: ['reports/jest.json'],
    needs: [needsFile('node_modules/jest/bin/jest.js', 'npm ci')],
    run: tests,
    runsWith: 'npm:jest',
  },
  {
    name: 'audit',
    description: 'npm audit --audit-level=high (needs the npm registry)',
    reports: ['reports/npm-audit.json'],
    needs: [],
    run: audit,
  },
  {
    name: 'osv-scanner',
    description:
      'osv-scanner on package-lock.json against OSV, malicious packages (MAL-*) included (osv-scanner.toml; needs api.osv.dev or OSV_LOCAL_DB)',
    reports: ['reports/osv-scanner.sarif'],
    needs: [
      needsFile('osv-scanner.toml', `osv-scanner's accepted findings ${PIPELINE_BRANCH}`),
      needsFile('package-lock.json', 'npm install writes it'),
      needsScanner('osv-scanner'),
    ],
    run: ranWith('osv-scanner', runOsvScanner),
    tool: 'osv-scanner',
  },
  {
    name: 'lockfile',
    description: 'lockfile-lint, the policy in package.json (HTTPS, npm registry only, sha512, names)',
    reports: ['reports/lockfile-lint.txt'],
    needs: [needsFile(LOCKFILE_GATE, 'the dependency gate script comes with the CI pipeline')],
    run: lockfile,
    runsWith: 'npm:lockfile-lint',
  },
  {
    name: 'dockerfile',
    description: 'Dockerfile policy (security/dockerfile-policy.ts)',
    reports: ['reports/dockerfile-policy.sarif'],
    needs: [needsFile('Dockerfile', 'the Dockerfile is part of the template')],
    run: runDockerfilePolicy,
    runsWith: 'own:security/dockerfile-policy.ts',
  },
  {
    name: 'hadolint',
    description: 'hadolint on the Dockerfile, ShellCheck in its RUNs included (.hadolint.yaml)',
    reports: ['reports/hadolint.sarif'],
    needs: [needsFile('.hadolint.yaml', `hadolint's policy ${PIPELINE_BRANCH}`), needsScanner('hadolint')],
    run: ranWith('hadolint', runHadolint),
    tool: 'hadolint',
  },
  {
    name: 'workflows',
    description: `Workflow policy (${WORKFLOW_POLICY_MODULE}): reviewed actions, gates, image flow, publish`,
    reports: ['reports/workflow-policy.sarif'],
    needs: [needsFile(WORKFLOW_POLICY_MODULE, `the workflow policy ${PIPELINE_BRANCH}`)],
    run: runWorkflowPolicy,
    runsWith: `own:${WORKFLOW_POLICY_MODULE}`,
  },
  {
    name: 'zizmor',
    description:
      'zizmor on the workflows and actions (.github/zizmor.yml): injection, pins, permissions, triggers',
    reports: ['reports/zizmor.sarif'],
    needs: [needsFile('.github/zizmor.yml', `zizmor's policy ${PIPELINE_BRANCH}`), needsLinter('zizmor')],
    run: runZizmor,
    tool: 'zizmor',
  },
  {
    name: 'actionlint',
    description: 'actionlint on the workflows (.github/actionlint.yaml): syntax, expressions, needs',
    reports: ['reports/actionlint.sarif'],
    needs: [
      needsFile('.github/actionlint.yaml', `actionlint's policy ${PIPELINE_BRANCH}`),
      needsLinter('actionlint'),
    ],
    run: runActionlint,
    tool: 'actionlint',
  },
  {
    name: 'image',
    description:
      'Build the image from the Dockerfile on its pinned bases (--standin-bases: on local stand-ins)',
    reports: [],
    needs: [needsEngine, needsBaseImages],
    run: buildImage,
  },
  {
    name: 'trivy',
    description: 'Trivy on the built image (security/trivy/trivy.yaml, .trivyignore)',
    reports: ['reports/trivy.sarif'],
    needs: [
      needsEngine,
      needsFile('security/trivy/trivy.yaml', `Trivy's policy ${PIPELINE_BRANCH}`),
      needsBuiltImage,
      needsScanner('trivy'),
    ],
    run: ranWith('trivy', runTrivy),
    tool: 'trivy',
  },
  {
    name: 'checkov',
    description: 'Checkov on the repository (checkov.yaml)',
    reports: ['reports/checkov.sarif'],
    needs: [needsFile('checkov.yaml', `Checkov's policy ${PIPELINE_BRANCH}`), needsScanner('checkov')],
    run: ranWith('checkov', runCheckov),
    tool: 'checkov',
  },
  {
    name: 'zap',
    description:
      'OWASP ZAP baseline against the image running with its production flags (security/zap/rules.tsv)',
    reports: ['reports/zap/zap.json', 'reports/zap/zap.html'],
    needs: [
      needsEngine,
      needsFile('security/zap/rules.tsv', `ZAP's rules ${PIPELINE_BRANCH}`),
      needsBuiltImage,
      needsScanner('zap'),
    ],
    run: ranWith('zap', runZap),
    tool: 'zap',
  },
  {
    name: 'zap-api',
    description:
      'OWASP ZAP API scan (active rules) from docs/openapi.yaml against the image running with its production flags (security/zap/api-rules.tsv)',
    reports: ['reports/zap-api/zap-api.json', 'reports/zap-api/zap-api.html'],
    needs: [
      needsEngine,
      needsFile(ZAP_API_RULES, `ZAP's API scan rules ${PIPELINE_BRANCH}`),
      needsFile(OPENAPI_DESCRIPTION, 'the API description comes with the service (docs/openapi.yaml)'),
      needsBuiltImage,
      needsScanner('zap'),
    ],
    run: ranWith('zap', runZapApi),
    tool: 'zap',
  },
  {
    name: 'schemathesis',
    description:
      'schemathesis from docs/openapi.yaml against the image running with its production flags (schemathesis.toml): every operation, no 5xx, every answer conforms; the API side where ZAP cannot run',
    reports: ['reports/schemathesis/'],
    needs: [
      needsEngine,
      needsFile('schemathesis.toml', `schemathesis's policy ${PIPELINE_BRANCH}`),
      needsFile(OPENAPI_DESCRIPTION, 'the API description comes with the service (docs/openapi.yaml)'),
      needsBuiltImage,
      needsScanner('schemathesis'),
    ],
    run: ranWith('schemathesis', runSchemathesis),
    tool: 'schemathesis',
    ci: 'not a job of the gates workflow: on GitHub the zap-api job attacks the API; here schemathesis stands in where ZAP cannot run (docs/pipeline.md, "ZAP from Maven Central")',
  },
];
