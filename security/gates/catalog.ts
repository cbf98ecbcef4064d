/**
 * The one list of gates. Each entry is a job of the reusable gates workflow; everything else derives
 * from it: `npm run generate` writes the workflow's per-gate outputs and docs/pipeline.md's gate table
 * (security/gates/generated-files.ts), the workflow policy checks the workflow has each job with its name
 * (`gate-jobs`), the run summary prints one row per entry (summary.ts), the gate-results attestation
 * records each attested report, and `npm run gates` tells for each local gate which CI job runs the same
 * check. Adding a gate: docs/gates.md, "Adding a gate".
 */
/** The reusable workflow that holds every gate job. */
export const GATES_WORKFLOW = '.github/workflows/security-gates.yml';

export interface GateJob {
  /** The job's id in the gates workflow; its outputs are `<job>-result` and `<job>-findings`. */
  readonly job: string;
  /** The job's `name:`, which is also its status check ("Gates / <title>") in branch protection. */
  readonly title: string;
  /** What `<job>-findings` counts, for the summary; absent when the job reports no count. */
  readonly counts?: string;
  /** What fails the job. */
  readonly fails: string;
  /** The policy files it reads. */
  readonly policy: string;
  /** Where its findings go: a SARIF category in code scanning, or an artifact. */
  readonly findingsTo: string;
  /** The gates of `npm run gates` that run the same checks on a developer's machine. */
  readonly local: readonly string[];
  /**
   * The image digest this job built, scanned or ran: the job's output `from`, exported by the gates
   * workflow as `output`; `label` is how the run summary says it.
   */
  readonly digest?: { readonly output: string; readonly from: string; readonly label: string };
  /** For a job that can fail to run at all: what its `outage` output says, exported as `<job>-outage`. */
  readonly outage?: string;
  /**
   * The report the gate-results attestation records for this job (security/attestation/gate-results.ts):
   * the job uploads it as the artifact `gate-report-<job>`; `reports` picks the report files in it and
   * `reader` names how they are read. Absent only for `build`, whose product is the attestation's subject.
   */
  readonly attested?: { readonly reports: RegExp; readonly reader: ReportReaderKind };
}

/** How the attestation reads a gate's report: SARIF, jest's --json, `npm audit --json`, ZAP's JSON. */
export type ReportReaderKind = 'sarif' | 'jest' | 'npm-audit' | 'zap';

/** The artifact each attested gate job uploads, for publish to download with `pattern: gate-report-*`. */
export const REPORT_ARTIFACT_PREFIX = 'gate-report-';

export const GATE_JOBS: readonly GateJob[] = [
  {
    job: 'lint',
    title: 'Lint, format, types, secrets',
    counts: 'ESLint + security rules, Prettier, tsc, secretlint',
    fails: 'an ESLint error or warning (security plugin rules as errors), Prettier, `tsc`, secretlint',
    policy: '`eslint.config.mjs`, `package.json` (`prettier`), `tsconfig.json`, `.secretlintrc.json`',
    findingsTo: 'SARIF `eslint`',
    local: ['eslint', 'prettier', 'typecheck', 'secrets'],

    attested: { reports: /^eslint\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'test',
    title: 'Tests with coverage floor',
    counts: 'failed tests (coverage floor in jest.config.js)',
    fails: 'a failing test (the Dockerfile and workflow policy tests included), or coverage under the floor',
    policy:
      '`jest.config.js` (`coverageThreshold`), `security/dockerfile-policy.ts`, `security/workflow-policy.ts`',
    findingsTo: 'coverage artifact',
    local: ['tests', 'dockerfile', 'workflows'],

    attested: { reports: /^jest-results\.json$/, reader: 'jest' },
  },
  {
    job: 'dependencies',
    title: 'Dependency audit and lockfile policy',
    counts: 'high + critical advisories',
    fails:
      'an advisory ≥ high (`npm audit --audit-level=high`), a lockfile entry not https / not the npm registry / without sha512 integrity / with another name, a bad registry signature, a new vulnerable dependency in a pull request (dependency review, high)',
    policy: '`package.json` (`lockfile-lint`, `allowScripts`)',
    findingsTo: 'job log',
    local: ['audit', 'lockfile'],
    outage: 'What could not run when the audit endpoint did not answer (empty otherwise).',

    attested: { reports: /^npm-(audit\.json|version\.txt)$/, reader: 'npm-audit' },
  },
  {
    job: 'osv-scanner',
    title: 'Malicious packages and advisories (osv-scanner)',
    counts: 'OSV findings in the lockfile (malicious packages, MAL-*, included)',
    fails:
      'a package version in `package-lock.json` that OSV lists as malicious (MAL-*) or vulnerable, not accepted in `osv-scanner.toml`; an acceptance without a reason or past its `ignoreUntil` fails the workflow policy (`osv-ignore`)',
    policy: '`osv-scanner.toml` (osv-scanner at `security/tools.json`’s version)',
    findingsTo: 'SARIF `osv-scanner`',
    local: ['osv-scanner'],
    outage: 'What could not run when osv-scanner could not reach or read the OSV database (empty otherwise).',

    attested: { reports: /^osv-scanner\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'codeql',
    title: 'CodeQL (javascript-typescript)',
    counts: 'results',
    fails:
      'an error-level result of `security-extended`, or a result whose rule has a `security-severity` ≥ 7.0 (high/critical), read from the SARIF `analyze` writes by `security/sarif-gate.mjs` (analyze itself never fails)',
    policy: '`security/codeql/codeql-config.yml`',
    findingsTo: 'SARIF `/language:javascript-typescript`',
    local: [],

    attested: { reports: /\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'build',
    title: 'Build the image once',
    fails: 'the image does not build',
    policy: '`Dockerfile`',
    findingsTo: 'the image archive artifact every later gate uses',
    local: ['image'],
    digest: { output: 'image-digest', from: 'image-digest', label: 'built' },
  },
  {
    job: 'trivy',
    title: 'Trivy (image vulnerabilities, secrets, misconfiguration)',
    counts: 'results of every severity; the gate fails on HIGH and CRITICAL',
    fails:
      'a HIGH or CRITICAL vulnerability, secret or misconfiguration in the image not accepted in `.trivyignore`',
    policy: '`security/trivy/trivy.yaml`, `security/trivy/.trivyignore`',
    findingsTo: 'SARIF `trivy`',
    local: ['trivy'],
    digest: { output: 'trivy-digest', from: 'digest', label: 'scanned by Trivy' },
    outage: 'What could not run when Trivy could not scan (empty otherwise).',

    attested: { reports: /^trivy\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'checkov',
    title: 'Checkov (Dockerfile, workflows, secrets)',
    counts: 'failed checks',
    fails: 'a failed check on the Dockerfile, the workflows or secrets',
    policy: '`checkov.yaml`',
    findingsTo: 'SARIF `checkov`',
    local: ['checkov'],

    attested: { reports: /^results_sarif\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'zizmor',
    title: 'zizmor (workflow security audit)',
    counts: 'findings',
    fails:
      'a zizmor finding on a workflow or action (template injection, unpinned uses, excessive permissions, dangerous triggers, persisted credentials…) not accepted in `.github/zizmor.yml`',
    policy: '`.github/zizmor.yml`',
    findingsTo: 'SARIF `zizmor`',
    local: ['zizmor'],

    attested: { reports: /^zizmor\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'actionlint',
    title: 'actionlint (workflow syntax and expressions)',
    counts: 'errors',
    fails:
      'an actionlint error: a key, type or `needs` GitHub would reject, an expression that does not parse or type, an untrusted input in a script, a shellcheck finding in a `run:` script',
    policy: '`.github/actionlint.yaml`',
    findingsTo: 'SARIF `actionlint`',
    local: ['actionlint'],

    attested: { reports: /^actionlint\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'hadolint',
    title: 'hadolint (Dockerfile)',
    counts: 'results of every level',
    fails:
      'a hadolint result of any level, down to info, on the Dockerfile (ShellCheck in its RUNs included) not accepted by an inline `# hadolint ignore=` with its reason',
    policy: '`.hadolint.yaml`',
    findingsTo: 'SARIF `hadolint`',
    local: ['hadolint'],

    attested: { reports: /^hadolint\.sarif$/, reader: 'sarif' },
  },
  {
    job: 'zap',
    title: 'OWASP ZAP baseline (running container)',
    counts: 'alerts of any level',
    fails:
      'an alert of a rule at FAIL or WARN (unlisted rules default to WARN), or a container that never becomes healthy',
    policy: '`security/zap/rules.tsv`',
    findingsTo: 'report artifact `zap-baseline-report`',
    local: ['zap'],
    digest: { output: 'zap-digest', from: 'digest', label: 'run under ZAP' },

    attested: { reports: /^report_json\.json$/, reader: 'zap' },
  },
  {
    job: 'zap-api',
    title: 'OWASP ZAP API scan (active, from docs/openapi.yaml)',
    counts: 'API scan alerts of any level (active rules)',
    fails:
      'an alert of a rule at FAIL or WARN in the active scan of every operation `docs/openapi.yaml` describes, or a 5xx to a crafted request',
    policy: '`security/zap/api-rules.tsv`, `docs/openapi.yaml`',
    findingsTo: 'report artifact',
    local: ['zap-api'],

    attested: { reports: /^zap-api\.json$/, reader: 'zap' },
  },
  {
    job: 'secrets-history',
    title: 'Secret scan of every added commit',
    counts: 'secrets in any commit the push or pull request adds',
    fails:
      'a secret in any commit the push or pull request adds, even one a later commit deleted (the finding names commit and path)',
    policy: '`.gitleaks.toml`, `.gitleaksignore` (gitleaks at `security/tools.json`’s version)',
    findingsTo: 'SARIF `secrets-history`',
    local: ['secrets-history'],
    outage: 'What could not run when gitleaks could not be installed or could not scan (empty otherwise).',

    attested: { reports: /^secrets-history\.sarif$/, reader: 'sarif' },
  },
];

/** The CI job that runs the same check as a local gate, for `npm run gates --list`. */
export function ciJobOf(localGate: string): GateJob | undefined {
  return GATE_JOBS.find((entry) => entry.local.includes(localGate));
}

/** The gate table of docs/pipeline.md, generated so the docs cannot drift from the list. */
export function gateTable(): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    '| job | status check | what fails it | policy | findings go to | `npm run gates` |',
    '| --- | --- | --- | --- | --- | --- |',
    ...GATE_JOBS.map(
      (entry) =>
        `| \`${entry.job}\` | Gates / ${entry.title} | ${escape(entry.fails)} | ${entry.policy} | ${entry.findingsTo} | ${
          entry.local.length > 0 ? entry.local.map((name) => `\`${name}\``).join(', ') : 'CI only'
        } |`,
    ),
  ].join('\n');
}

/**
 * The status checks branch protection requires, as the nested list of docs/pipeline.md's setup step:
 * one per gate job, named as GitHub shows a job of the called workflow (`Gates / <title>`).
 */
export function requiredChecks(): string {
  return GATE_JOBS.map((entry) => `   - \`Gates / ${entry.title}\``).join('\n');
}

/** Where the generated outputs sit in the gates workflow's `on.workflow_call.outputs`. */
export const GATE_OUTPUTS_MARKERS = {
  start: '      # gate-outputs:start (generated from security/gates/catalog.ts by `npm run generate`)',
  end: '      # gate-outputs:end',
} as const;

/**
 * The gates workflow's outputs for every gate of the list, as YAML lines inside `workflow_call.outputs`:
 * `<job>-result`, `<job>-findings` when it counts, `<job>-outage` when it can fail to run, and the digest
 * it saw. The pipeline's summary and gate-results attestation read them all (GATE_OUTPUTS).
 */
export function gateOutputs(): string {
  const indent = '      ';
  const output = (name: string, value: string, description?: string) =>
    [
      `${indent}${name}:`,
      ...(description === undefined ? [] : [`${indent}  description: ${description}`]),
      `${indent}  value: \${{ ${value} }}`,
    ].join('\n');
  return GATE_JOBS.flatMap((entry) => [
    ...(entry.digest
      ? [
          output(
            entry.digest.output,
            `jobs.${entry.job}.outputs.${entry.digest.from}`,
            `The image's manifest digest (sha256:<hex>) ${entry.digest.label}.`,
          ),
        ]
      : []),
    output(`${entry.job}-result`, `jobs.${entry.job}.result`),
    ...(entry.counts === undefined
      ? []
      : [output(`${entry.job}-findings`, `jobs.${entry.job}.outputs.findings`)]),
    ...(entry.outage === undefined
      ? []
      : [output(`${entry.job}-outage`, `jobs.${entry.job}.outputs.outage`, entry.outage)]),
  ]).join('\n');
}
