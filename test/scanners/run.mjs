// The scanner test: every scanner the pipeline trusts, the real tool at the version security/tools.json
// pins, on the real image and the real repository, with the policy files and flags the workflows use;
// then on each planted flaw of test/scanners/expectations.json, which the tool meant to catch it must
// report by rule id. One image build serves every tool.
//
// A tool that is not installed at its pinned version (scripts/ci/install-tools.sh puts them in
// /root/.cache/shs-tools/bin; SHS_TOOLS_DIR overrides) is an outage: its checks fail and say so, never
// pass. Trivy's database cannot be downloaded here: test/scanners/trivy-db builds one with trivy-db's
// own code from the planted advisories in test/scanners/advisories, and every scan uses it with
// --skip-db-update (docs/pipeline.md, "Scanners run here").
//
// Needs podman or Docker (as the container test: the Dockerfile is built from the local stand-in bases)
// and Go (for the database builder). Prints one "N passed, N failed" line.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkovArguments,
  describedOperations,
  HARDENING_FLAGS,
  schemathesisArguments,
} from '../../security/gates/containers.ts';
import { detectEngine, freePort, waitUntilAnswering } from '../../security/gates/engine.ts';
import { candidatePaths, reportsVersion, toolPin, toolsDir } from '../../security/gates/tools.ts';
import { actionlintArguments, zizmorArguments } from '../../security/gates/workflow-linters.ts';
import { readServiceDescription, standInArguments } from '../../security/gates/service-description.ts';
import { projectBuildArguments, standinBasesHere, withChecks } from '../../security/gates/standin-bases.mjs';
import { createTally } from '../support/tally.mjs';
import { buildOsvDb } from './osv-db/make-osv-db.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The port and the required settings' stand-ins: src/service.json, as the service and CI read them.
const SERVICE = readServiceDescription(ROOT);
const EXPECTATIONS = JSON.parse(readFileSync(join(ROOT, 'test/scanners/expectations.json'), 'utf8'));
const TOOLS_BIN = join(toolsDir(), 'bin');
const RUN_ID = randomBytes(4).toString('hex');
const IMAGE = `localhost/healthcheck-scanners:${RUN_ID}`;
// The self-test's pin of lodash 4.17.15 (security/self-test/trivy/Dockerfile): the registry's integrity.
const LODASH = {
  spec: 'lodash@4.17.15',
  integrity:
    'sha512-8xOcRHvCjnocdS5cpwXQXVzmmh5e5+saE2QGoeQmbKmRS6J3VQppPOIt0MnmE+4xlZoumy0GPG0D0MVIQbNA1A==',
};

// ---- tally ----------------------------------------------------------------------------------------
// A failure's detail is a tool's whole output: its last 40 lines are shown.
const tally = createTally({ detailTail: 40 });
const { check, log } = tally;
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// ---- processes ------------------------------------------------------------------------------------
function run(command, args, { cwd = ROOT, env = {}, timeout = 900_000 } = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout,
    maxBuffer: 512 * 1024 * 1024,
  });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: `${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`,
    ms: Date.now() - started,
  };
}

// ---- the tools ------------------------------------------------------------------------------------
/**
 * Where the pinned tool is: its bin/ entry, else PATH (the gate runner's own lookup,
 * security/gates/tools.ts); an outage (with why) when none reports the pin.
 */
function locate(tool) {
  const pin = toolPin(ROOT, tool);
  const seen = [];
  for (const path of candidatePaths(pin)) {
    const answer = run(path, pin.versionArgs, { timeout: 60_000 });
    const text = `${answer.stdout}\n${answer.stderr}`;
    if (reportsVersion(text, pin.version)) return { path, version: pin.version };
    seen.push(`${path}: ${text.trim().split('\n')[0]}`);
  }
  return {
    outage:
      `${tool} ${pin.version} is not installed (looked in ${TOOLS_BIN} and PATH${seen.length > 0 ? `; found ${seen.join('; ')}` : ''}): ` +
      `run scripts/ci/install-tools.sh ${tool}`,
  };
}

// ---- the image ------------------------------------------------------------------------------------
const made = { containers: [], images: [], processes: [] };
let engine;
let work;

const engineRun = (args, timeout = 600_000) => engine.run(args, { timeout });

async function buildTemplateImage() {
  const { bases, missing } = await standinBasesHere(engine, log);
  if (missing !== undefined) throw new Error(`the stand-in bases need a static busybox and npm (${missing})`);
  const buildArgs = {
    APP_VERSION: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    DESCRIPTION: 'Scanner test',
    LAST_COMMIT_SHA: randomBytes(20).toString('hex'),
  };
  made.images.push(IMAGE);
  const started = Date.now();
  await engineRun(projectBuildArguments(engine.name, { root: ROOT, tag: IMAGE, bases, buildArgs }));
  log(`built ${IMAGE} from the stand-in bases in ${seconds(started)}`);
}

/** An image FROM the template's with `files` ({ path in image: local path }) added: a flawed variant. */
async function buildVariant(name, files) {
  const context = join(work, `variant-${name}`);
  mkdirSync(context, { recursive: true });
  const lines = [`FROM ${IMAGE}`];
  for (const [index, [target, source]] of Object.entries(files).entries()) {
    cpSync(source, join(context, `f${index}`), { recursive: true });
    lines.push(`COPY f${index} ${target}`);
  }
  writeFileSync(join(context, 'Containerfile'), `${lines.join('\n')}\n`);
  const tag = `localhost/healthcheck-scanners-${name}:${RUN_ID}`;
  made.images.push(tag);
  const pull = engine.name === 'podman' ? '--pull=never' : '--pull=false';
  const format = engine.name === 'podman' ? ['--format', 'docker', '--layers=false'] : [];
  await engineRun(['build', pull, ...format, '-f', join(context, 'Containerfile'), '-t', tag, context]);
  return tag;
}

/**
 * The image as the build job hands it to the gates: an OCI archive with one manifest, its digest and
 * SHA-256 recorded, unpacked by deploy/oci-image.sh into the layout Trivy reads (`<dir>@<digest>`).
 */
async function ociInput(tag, name) {
  const archive = join(work, `${name}.tar`);
  await engineRun(['save', '--format', 'oci-archive', '-o', archive, tag]);
  const digest = run('deploy/oci-image.sh', ['digest', '--archive', archive]);
  if (digest.status !== 0) throw new Error(`deploy/oci-image.sh digest: ${digest.stderr}`);
  const env = {
    ARCHIVE: archive,
    ARCHIVE_SHA256: createHash('sha256').update(readFileSync(archive)).digest('hex'),
    IMAGE_DIGEST: digest.stdout.trim(),
  };
  const unpacked = run('deploy/oci-image.sh', ['unpack'], {
    env: { ...env, LAYOUT_DIR: join(work, `${name}-layout`) },
  });
  if (unpacked.status !== 0) throw new Error(`deploy/oci-image.sh unpack: ${unpacked.stderr}`);
  return { ...env, input: unpacked.stdout.trim() };
}

// ---- reading each tool's own output ---------------------------------------------------------------
const sarifRules = (file) =>
  JSON.parse(readFileSync(file, 'utf8')).runs.flatMap((sarifRun) =>
    sarifRun.results.map((result) => result.ruleId),
  );
const jsonOf = (text, fallback) => {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
};
const unique = (values) => [...new Set(values)].sort();
const missingRules = (flaw, found) => flaw.rules.filter((rule) => !found.includes(rule));

// ---- the tools, one by one: each returns { template: [ok, detail], flaws: { id: found rule ids } } ----
const scanners = {
  async trivy(trivy, context) {
    const gate = EXPECTATIONS.gate.trivy;
    const cache = join(work, 'trivy-cache');
    const built = run('go', ['run', '.', '-advisories', '../advisories', '-output', join(cache, 'db')], {
      cwd: join(ROOT, 'test/scanners/trivy-db'),
    });
    if (
      !check(
        'trivy: the planted-advisory database builds with trivy-db v0.0.0-20251222105351-a833f47f8f0d',
        built.status === 0,
        built.stderr,
      )
    ) {
      return { outage: 'no Trivy database' };
    }
    // The workflow's two runs (security-gates.yml, trivy job): a SARIF report of every severity, then the
    // gate. The database is the planted one; the checks bundle cannot be downloaded either, so Trivy's
    // own embedded copy of trivy-checks is used (--skip-check-update).
    const offline = [
      '--cache-dir',
      cache,
      '--skip-db-update',
      '--skip-java-db-update',
      '--skip-check-update',
    ];
    const scan = (input, name) => {
      const sarif = join(work, `trivy-${name}.sarif`);
      const report = run(trivy, [
        'image',
        '--config',
        'security/trivy/trivy.yaml',
        ...offline,
        '--format',
        'sarif',
        '--output',
        sarif,
        '--exit-code',
        '0',
        '--input',
        input,
      ]);
      const gated = run(trivy, [
        'image',
        '--config',
        'security/trivy/trivy.yaml',
        ...offline,
        '--format',
        'table',
        '--severity',
        gate.severity,
        '--exit-code',
        String(gate.exitCode),
        '--input',
        input,
      ]);
      const rules = report.status === 0 && existsSync(sarif) ? unique(sarifRules(sarif)) : undefined;
      log(
        `trivy ${name}: gate exit ${gated.status} (${gated.ms} ms), SARIF rules: ${rules?.join(', ') || 'none'}`,
      );
      return { report, gated, rules };
    };
    const template = scan(context.template.input, 'template');
    const templateOk =
      template.report.status === 0 && template.gated.status === 0 && template.rules?.length === 0;

    // The sbom job: CycloneDX of the same layout, checked by deploy/oci-image.sh to describe that image,
    // and here also to list the packages the bundle holds (dist/sbom.cdx.json inside the image).
    const sbomFile = join(work, 'sbom.cdx.json');
    const sbom = run(trivy, [
      'image',
      '--cache-dir',
      cache,
      '--format',
      'cyclonedx',
      '--output',
      sbomFile,
      '--exit-code',
      '0',
      '--input',
      context.template.input,
    ]);
    const describes =
      sbom.status === 0
        ? run('deploy/oci-image.sh', ['sbom'], { env: { ...context.template, SBOM_FILE: sbomFile } })
        : sbom;
    const listed =
      sbom.status === 0
        ? (JSON.parse(readFileSync(sbomFile, 'utf8')).components?.map((component) => component.name) ?? [])
        : [];
    const dependencies = Object.keys(
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies ?? {},
    );
    const absent = dependencies.filter((name) => !listed.includes(name));
    check(
      `trivy: the sbom job's CycloneDX describes the scanned digest and lists the bundle's packages (${listed.length} components; ${dependencies.join(', ')} among them)`,
      describes.status === 0 && dependencies.length > 0 && absent.length === 0,
      `${describes.stderr}\nnot listed: ${absent.join(', ')}`,
    );

    const flaws = {};
    for (const [id, input] of Object.entries(context.trivyVariants)) {
      const result = scan(input, id);
      // The gate must fail (exit 1 at HIGH/CRITICAL) as well as name the rule.
      flaws[id] = {
        found: result.gated.status === gate.exitCode ? (result.rules ?? []) : [],
        detail: `gate exit ${result.gated.status}\n${result.gated.stdout.slice(-2000)}${result.gated.stderr.slice(-1000)}`,
      };
    }
    return {
      template: [
        templateOk,
        `report exit ${template.report.status}, gate exit ${template.gated.status}, rules ${template.rules}\n${template.gated.stdout.slice(-3000)}${template.report.stderr.slice(-2000)}`,
      ],
      flaws,
    };
  },

  async checkov(checkov) {
    // security-gates.yml's checkov job: `-d . --config-file checkov.yaml --output cli --output sarif`.
    // --skip-download as well: without it Checkov first asks Prisma Cloud for guideline links (no check
    // depends on them without an API key), which here fails only after retries, a minute per run.
    const scan = (directory, name) => {
      const out = join(work, `checkov-${name}`);
      const result = run(checkov, [...checkovArguments(directory, out), '--skip-download']);
      const file = existsSync(out) && statSync(out).isDirectory() ? join(out, 'results_sarif.sarif') : out;
      const rules = existsSync(file) ? unique(sarifRules(file)) : undefined;
      log(`checkov ${name}: exit ${result.status} (${result.ms} ms), rules: ${rules?.join(', ') || 'none'}`);
      return { result, rules };
    };
    const template = scan('.', 'template');
    const flaws = {};
    for (const flaw of EXPECTATIONS.flaws.filter(({ tool }) => tool === 'checkov')) {
      // As gate-self-test.yml does: the variant copied into place as a Dockerfile, scanned from elsewhere.
      const directory = join(work, `checkov-variant-${flaw.id}`);
      mkdirSync(directory);
      cpSync(join(ROOT, flaw.variant), join(directory, 'Dockerfile'));
      const scanned = scan(directory, flaw.id);
      flaws[flaw.id] = {
        found: scanned.result.status !== 0 ? (scanned.rules ?? []) : [],
        detail: scanned.result.stdout.slice(-2000),
      };
    }
    return {
      template: [
        template.result.status === 0 && template.rules?.length === 0,
        `exit ${template.result.status}\n${template.result.stdout.slice(-3000)}${template.result.stderr.slice(-1500)}`,
      ],
      flaws,
    };
  },

  async zizmor(zizmor) {
    return byRun('zizmor', '.', (target) => {
      const result = run(zizmor, zizmorArguments(target, 'json-v1'));
      return { result, rules: unique(jsonOf(result.stdout, []).map((finding) => finding.ident)) };
    });
  },

  async actionlint(actionlint) {
    // No file argument for the template: actionlint finds .github/workflows and .github/actionlint.yaml.
    return byRun('actionlint', undefined, (target) => {
      const result = run(actionlint, actionlintArguments(target));
      return { result, rules: unique(jsonOf(result.stdout, []).map((finding) => finding.kind)) };
    });
  },

  // security-gates.yml's osv-scanner job runs security/dependencies/osv-scanner-gate.sh against the OSV
  // API, which cannot be reached here: the same script runs offline (OSV_LOCAL_DB) against a database
  // built from the planted records of test/scanners/osv-db, in the layout osv-scanner v2.6.0 reads.
  async 'osv-scanner'(osv) {
    const db = buildOsvDb(join(work, 'osv-db'));
    const gate = (name, { lockfile = 'package-lock.json', config = 'osv-scanner.toml', local = db } = {}) => {
      const sarif = join(work, `osv-${name}.sarif`);
      const outputs = join(work, `osv-${name}.outputs`);
      writeFileSync(outputs, '');
      const result = run('security/dependencies/osv-scanner-gate.sh', [], {
        env: {
          OSV_SCANNER: osv,
          OSV_LOCKFILE: lockfile,
          OSV_CONFIG: config,
          OSV_SARIF: sarif,
          OSV_LOCAL_DB: local,
          GITHUB_OUTPUT: outputs,
        },
      });
      const rules = existsSync(sarif) ? unique(sarifRules(sarif)) : [];
      const said = readFileSync(outputs, 'utf8').trim();
      log(
        `osv-scanner ${name}: exit ${result.status} (${result.ms} ms), rules: ${rules.join(', ') || 'none'}; ${said}`,
      );
      return { result, rules, said };
    };
    const output = (scanned) =>
      `${scanned.said}\n${scanned.result.stdout.slice(-2000)}${scanned.result.stderr.slice(-2000)}`;

    // The planted lockfile: the real one with debug resolved to the version the MAL- record names.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    if (lock.packages?.['node_modules/debug'] === undefined)
      throw new Error('package-lock.json has no debug');
    lock.packages['node_modules/debug'] = { ...lock.packages['node_modules/debug'], version: '4.4.2' };
    const planted = join(work, 'osv-planted', 'package-lock.json');
    mkdirSync(dirname(planted), { recursive: true });
    writeFileSync(planted, JSON.stringify(lock, null, 2));
    // An acceptance of it that has expired: osv-scanner stops honouring it (internal/config/config.go,
    // shouldIgnoreTimestamp), so the gate fails as without it; one still in force hides the finding.
    const acceptance = (until) =>
      `[[IgnoredVulns]]\nid = "MAL-2099-0001"\nignoreUntil = ${until}\nreason = "planted acceptance"\n`;
    const expired = join(work, 'osv-expired.toml');
    writeFileSync(expired, acceptance('2020-01-01T00:00:00Z'));
    const inForce = join(work, 'osv-in-force.toml');
    writeFileSync(inForce, acceptance('2999-01-01T00:00:00Z'));

    const template = gate('template');
    const noDb = gate('without-database', { local: join(work, 'osv-no-db') });
    check(
      'osv-scanner: without its database the gate reports an outage (exit 3, outage=…), never a pass or a finding',
      noDb.result.status === 3 && /^outage=osv-scanner: /m.test(noDb.said) && !/^findings=/m.test(noDb.said),
      output(noDb),
    );
    const kept = gate('accepted-in-force', { lockfile: planted, config: inForce });
    check(
      'osv-scanner: an acceptance in osv-scanner.toml still in force hides the planted finding (exit 0)',
      kept.result.status === 0 && kept.rules.length === 0,
      output(kept),
    );
    return {
      template: [
        template.result.status === 0 && template.rules.length === 0 && /^findings=0$/m.test(template.said),
        output(template),
      ],
      flaws: flawsOf('osv-scanner', () => {
        const scanned = gate('malicious-version', { lockfile: planted });
        const lapsed = gate('accepted-expired', { lockfile: planted, config: expired });
        // Both must fail as findings (exit 1) naming the id.
        const found =
          scanned.result.status === 1 && lapsed.result.status === 1
            ? scanned.rules.filter((rule) => lapsed.rules.includes(rule))
            : [];
        return { found, detail: `${output(scanned)}\n--- expired acceptance:\n${output(lapsed)}` };
      }),
    };
  },

  async hadolint(hadolint) {
    return byRun('hadolint', 'Dockerfile', (target) => {
      const result = run(hadolint, ['--config', '.hadolint.yaml', '--format', 'json', target]);
      return { result, rules: unique(jsonOf(result.stdout, []).map((finding) => finding.code)) };
    });
  },

  async scorecard(scorecard) {
    const { minimumScore, checks, accepted } = EXPECTATIONS.gate.scorecard;
    // --local reads a folder: the repository's own files, as scorecard-action sees its checkout (an
    // installed node_modules would count as binaries checked in).
    const scan = (directory) => {
      const result = run(scorecard, [
        '--local',
        directory,
        '--checks',
        checks.join(','),
        '--format',
        'json',
        '--show-details',
      ]);
      const found = jsonOf(result.stdout, { checks: [] }).checks ?? [];
      const low = found.filter(
        (item) => item.score < minimumScore && item.score !== accepted[item.name]?.score,
      );
      return { result, checks: found, low };
    };
    const template = scan(repositoryCopy('scorecard-template'));
    log(
      `scorecard template: exit ${template.result.status}, ${template.checks.map((item) => `${item.name} ${item.score}`).join(', ')}`,
    );
    return {
      template: [
        template.result.status === 0 && template.checks.length === checks.length && template.low.length === 0,
        `${template.low.map((item) => `${item.name} ${item.score}: ${item.reason}\n${(item.details ?? []).slice(0, 10).join('\n')}`).join('\n')}\n${template.result.stderr.slice(-2000)}`,
      ],
      flaws: flawsOf('scorecard', (flaw) => {
        const directory = repositoryCopy(`scorecard-${flaw.id}`);
        cpSync(join(ROOT, flaw.variant), join(directory, '.github/workflows', basename(flaw.variant)));
        const scanned = scan(directory);
        return {
          found: scanned.low.map((item) => item.name),
          detail: scanned.checks.map((item) => `${item.name} ${item.score}`).join(', '),
        };
      }),
    };
  },

  async schemathesis(st, context) {
    // The policy is schemathesis.toml for both runs; they run in the work folder, where schemathesis keeps
    // its replay cache (.schemathesis/), so no earlier run's failures are replayed into this one.
    const scan = (description, url, name) => {
      const result = run(st, schemathesisArguments(ROOT, description, url, join(work, `st-${name}`)), {
        cwd: work,
      });
      const rules = unique([...result.stdout.matchAll(/^- (ST\d+) /gm)].map((match) => match[1]));
      const tested = /Tested: (\d+)/.exec(result.stdout)?.[1];
      log(
        `schemathesis ${name}: exit ${result.status} (${result.ms} ms), ${tested ?? '?'} operations tested, failures: ${rules.join(', ') || 'none'}`,
      );
      return { result, rules, tested: Number(tested) };
    };
    const template = scan('docs/openapi.yaml', context.serviceUrl, 'template');
    const operations = describedOperations(readFileSync(join(ROOT, 'docs/openapi.yaml'), 'utf8'));
    const seen = observedStatuses(join(work, 'st-template'));
    log(`schemathesis template: answers seen (method status): ${seen.join(', ')}`);
    const flaws = {};
    for (const flaw of EXPECTATIONS.flaws.filter(({ tool }) => tool === 'schemathesis')) {
      const port = await freePort();
      const server = spawn(process.execPath, [flaw.variant], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port) },
        stdio: 'ignore',
      });
      made.processes.push(server);
      const url = `http://127.0.0.1:${port}`;
      await waitUntilAnswering(`${url}/healthcheck`, 10_000, async () => server.exitCode === null);
      const scanned = scan(flaw.description, url, flaw.id);
      flaws[flaw.id] = {
        found: scanned.result.status !== 0 ? scanned.rules : [],
        detail: scanned.result.stdout.slice(-2000),
      };
      server.kill();
    }
    return {
      template: [
        template.result.status === 0 && template.tested === operations && operations > 0,
        `exit ${template.result.status}, ${template.tested} of ${operations} operations\n${template.result.stdout.slice(-3000)}`,
      ],
      flaws,
    };
  },
};

/** A copy of the files git tracks (or would: untracked, not ignored), the repository as a checkout has it. */
function repositoryCopy(name) {
  const directory = join(work, name);
  const listed = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  if (listed.status !== 0) throw new Error(`git ls-files: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(directory, file)), { recursive: true });
    cpSync(join(ROOT, file), join(directory, file));
  }
  return directory;
}

/**
 * A tool that scans one target a run: the template's target must come back clean (exit 0, no rule), and
 * each flaw's variant must fail with its rules.
 */
function byRun(tool, templateTarget, scan) {
  const template = scan(templateTarget);
  const output = (scanned) => `${scanned.result.stdout.slice(-2500)}${scanned.result.stderr.slice(-1500)}`;
  log(`${tool} template: exit ${template.result.status}, rules: ${template.rules.join(', ') || 'none'}`);
  return {
    template: [template.result.status === 0 && template.rules.length === 0, output(template)],
    flaws: flawsOf(tool, (flaw) => {
      const scanned = scan(flaw.variant);
      return { found: scanned.result.status !== 0 ? scanned.rules : [], detail: output(scanned) };
    }),
  };
}

function flawsOf(tool, scanOne) {
  return Object.fromEntries(
    EXPECTATIONS.flaws.filter((flaw) => flaw.tool === tool).map((flaw) => [flaw.id, scanOne(flaw)]),
  );
}

/** The "METHOD status" pairs a HAR report of schemathesis holds. */
function observedStatuses(directory) {
  if (!existsSync(directory)) return [];
  return unique(
    readdirSync(directory)
      .filter((file) => file.endsWith('.json'))
      .flatMap(
        (file) => jsonOf(readFileSync(join(directory, file), 'utf8'), { log: { entries: [] } }).log.entries,
      )
      .map((entry) => `${entry.request.method} ${entry.response.status}`),
  );
}

// ---- main -----------------------------------------------------------------------------------------
async function prepareImages() {
  const detected = await detectEngine();
  if (detected === undefined)
    throw new Error('no container engine (podman or Docker): the image cannot be built');
  engine = withChecks(detected);
  const started = Date.now();
  await buildTemplateImage();
  const template = await ociInput(IMAGE, 'template');
  log(`the template as an OCI archive: ${template.IMAGE_DIGEST}`);

  // The flawed images: the real one plus one planted flaw each.
  const lodash = join(work, 'lodash');
  mkdirSync(lodash);
  const packed = run('npm', ['pack', '--silent', '--pack-destination', lodash, LODASH.spec], { cwd: lodash });
  const tarball = join(lodash, packed.stdout.trim().split('\n').pop() ?? '');
  if (packed.status !== 0 || !existsSync(tarball))
    throw new Error(`npm pack ${LODASH.spec}: ${packed.stderr}`);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== LODASH.integrity)
    throw new Error(`${LODASH.spec}: integrity ${integrity}, expected ${LODASH.integrity}`);
  const unpacked = join(lodash, 'package');
  mkdirSync(unpacked);
  if (run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']).status !== 0)
    throw new Error('tar lodash');
  // A key made now, never committed: the secret scanners of the repository never see it.
  const key = join(work, 'deploy-key.pem');
  writeFileSync(
    key,
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }),
  );
  const trivyVariants = {
    'image-planted-advisory': (
      await ociInput(await buildVariant('advisory', { '/app/node_modules/lodash': unpacked }), 'advisory')
    ).input,
    'image-planted-secret': (
      await ociInput(await buildVariant('secret', { '/app/deploy-key.pem': key }), 'secret')
    ).input,
  };
  log(`images built and exported in ${seconds(started)}`);

  const port = await freePort();
  const container = `healthcheck-scanners-${RUN_ID}`;
  made.containers.push(container);
  await engineRun([
    'run',
    '-d',
    '--name',
    container,
    ...HARDENING_FLAGS,
    ...standInArguments(SERVICE),
    '-p',
    `127.0.0.1:${port}:${SERVICE.port}`,
    IMAGE,
  ]);
  const serviceUrl = `http://127.0.0.1:${port}`;
  const up = await waitUntilAnswering(`${serviceUrl}/healthcheck`, 30_000, async () => true);
  if (!up) throw new Error(`the container did not answer on ${serviceUrl}`);
  return { template, trivyVariants, serviceUrl };
}

async function main() {
  console.log('scanner test: the real tools on the real image and repository, and on every planted flaw');
  work = mkdtempSync(join(tmpdir(), 'healthcheck-scanners-'));
  // SCANNERS_ONLY=trivy,… runs some tools while working on them; such a run never passes.
  const only = process.env.SCANNERS_ONLY?.split(',');
  const tools = Object.keys(EXPECTATIONS.template).filter(
    (tool) => only === undefined || only.includes(tool),
  );
  if (only !== undefined) check(`every tool ran (SCANNERS_ONLY=${only.join(',')}: a partial run)`, false);
  const located = Object.fromEntries(tools.map((tool) => [tool, locate(tool)]));
  for (const tool of tools) {
    check(
      `${tool} ${toolPin(ROOT, tool).version} is installed${located[tool].path ? ` (${located[tool].path})` : ''}`,
      located[tool].path,
      `outage: ${located[tool].outage}`,
    );
  }
  let context;
  let imageProblem;
  if (located.trivy?.path || located.schemathesis?.path) {
    try {
      context = await prepareImages();
    } catch (err) {
      imageProblem = err instanceof Error ? err.message : String(err);
    }
    check(
      'the image builds from the stand-in bases and exports as an OCI archive',
      context !== undefined,
      imageProblem,
    );
  }
  for (const tool of tools) {
    const flaws = EXPECTATIONS.flaws.filter((flaw) => flaw.tool === tool);
    const started = Date.now();
    let outcome;
    if (!located[tool].path) {
      outcome = { outage: located[tool].outage };
    } else if (['trivy', 'schemathesis'].includes(tool) && context === undefined) {
      outcome = { outage: `no image to scan: ${imageProblem ?? 'not built'}` };
    } else {
      try {
        outcome = await scanners[tool](located[tool].path, context);
      } catch (err) {
        outcome = {
          outage: `${tool} did not run to the end: ${err instanceof Error ? err.stack : String(err)}`,
        };
      }
    }
    if (outcome.outage) {
      // An outage is a failure of every check the tool owes, never a pass.
      check(
        `${tool}: the template is clean (${EXPECTATIONS.template[tool]})`,
        false,
        `outage: ${outcome.outage}`,
      );
      for (const flaw of flaws)
        check(`${tool} catches ${flaw.id}: ${flaw.rules.join(', ')}`, false, `outage: ${outcome.outage}`);
      continue;
    }
    check(
      `${tool}: the template is clean or accepted in its policy (${EXPECTATIONS.template[tool]})`,
      outcome.template[0],
      outcome.template[1],
    );
    for (const flaw of flaws) {
      const got = outcome.flaws[flaw.id] ?? { found: [], detail: 'not scanned' };
      const missing = missingRules(flaw, got.found);
      check(
        `${tool} catches ${flaw.id} (${flaw.flaw}): ${flaw.rules.join(', ')}`,
        missing.length === 0,
        `missing ${missing.join(', ')}; reported: ${got.found.join(', ') || 'nothing'}\n${got.detail}`,
      );
    }
    log(`${tool}: ${seconds(started)}`);
  }
}

async function cleanUp() {
  for (const child of made.processes) if (child.exitCode === null) child.kill();
  if (engine) {
    for (const container of made.containers) await engine.attempt(['rm', '-f', container]);
    for (const image of made.images.reverse()) await engine.attempt(['rmi', '-f', image]);
  }
  if (work) rmSync(work, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });
}

const started = Date.now();
try {
  await main();
} catch (err) {
  check('the scanner test ran to the end', false, err instanceof Error ? err.stack : String(err));
} finally {
  await cleanUp();
}
log(`wall time ${seconds(started)}`);
process.exit(tally.summary() ? 0 : 1);
