/**
 * The scanners' policy files that the workflows name — checkov.yaml, trivy.yaml and its ignore file,
 * ZAP's rules file, the CodeQL config — and Dependabot's config, each checked by type: a gate whose
 * policy file is malformed or quietly permissive is no gate.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own policy files, at
   paths named in its workflows; no request or user input reaches these calls. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import type { Finding, Json, WorkflowFile } from './rule.ts';
import { actionName, isRecord, list, record, text } from './rule.ts';

const DAY_MS = 86_400_000;

/** The rules of this module, by id, with what each holds a policy file to (for SARIF and the docs). */
export const POLICY_FILE_RULES: Readonly<Record<string, string>> = {
  'checkov-config':
    'checkov.yaml scans the dockerfile, github_actions and secrets frameworks and does not soft-fail.',
  'checkov-skip-reason': 'Every check skipped in checkov.yaml has a comment naming it and giving the reason.',
  'checkov-inline-skip': 'No inline `checkov:skip=` comment: skips live in checkov.yaml, with a reason.',
  'trivy-config':
    'trivy.yaml parses, enables the vuln, secret and misconfig scanners, and names its ignore file.',
  'trivyignore-reason':
    'Every .trivyignore entry has a `# reason:` (or `# reason[VERDICT]:`) comment above it.',
  'trivyignore-expiry':
    'Every .trivyignore entry expires (`exp:YYYY-MM-DD`), at most a year ahead, and not in the past.',
  'osv-ignore':
    'Every osv-scanner.toml acceptance (IgnoredVulns, an ignoring PackageOverrides) has a reason and an expiry at most a year ahead, not past; no malicious package (MAL-*) is accepted.',
  'zap-rules':
    "ZAP's rules file has lines ZAP can load: id<TAB>IGNORE|INFO|WARN|FAIL<TAB>name, each id once.",
  'codeql-config': 'The CodeQL config uses the security-extended suite and ignores generated paths.',
  dependabot: 'Dependabot updates npm, github-actions and docker, each on a schedule and grouped.',
};

/** Checkov: the three frameworks, and a reason (a comment naming the check) for every skipped check. */
export function checkCheckovConfig(path: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const document = parseDocument(source);
  if (document.errors.length > 0)
    return [{ rule: 'checkov-config', file: path, message: document.errors[0]?.message ?? 'invalid YAML' }];
  const config = record(document.toJS());
  const frameworks = list(config.framework).map(text);
  for (const required of ['dockerfile', 'github_actions', 'secrets']) {
    if (!frameworks.includes(required)) {
      findings.push({ rule: 'checkov-config', file: path, message: `framework ${required} is not scanned` });
    }
  }
  if (config['soft-fail'] === true)
    findings.push({ rule: 'checkov-config', file: path, message: 'soft-fail turns the gate off' });
  const skipNode = isMap(document.contents) ? document.contents.get('skip-check', true) : undefined;
  if (isSeq(skipNode)) {
    const pair = isMap(document.contents)
      ? document.contents.items.find(
          (item) => text((item.key as { value?: unknown })?.value) === 'skip-check',
        )
      : undefined;
    const comments = [
      skipNode.commentBefore,
      (pair?.key as { commentBefore?: string } | undefined)?.commentBefore,
    ]
      .concat(skipNode.items.map((item) => (item as { commentBefore?: string }).commentBefore))
      .filter((comment): comment is string => typeof comment === 'string')
      .join('\n');
    for (const item of skipNode.items) {
      const id = text((item as { value?: unknown }).value);
      if (!id || !comments.includes(id)) {
        findings.push({
          rule: 'checkov-skip-reason',
          file: path,
          message: `skipped check ${id || '(empty)'} has no comment giving its reason`,
        });
      }
    }
  }
  return findings;
}

/** Inline `checkov:skip=` comments bypass the one reviewed list in checkov.yaml. */
export function checkInlineCheckovSkips(path: string, source: string): Finding[] {
  return source.split('\n').flatMap((line, index) =>
    /checkov:skip=/i.test(line)
      ? [
          {
            rule: 'checkov-inline-skip',
            file: path,
            message: `line ${index + 1}: skip checks in checkov.yaml, with a reason`,
          },
        ]
      : [],
  );
}

/** A policy file's YAML as an object, or the one finding (under `rule`) that says why it does not parse. */
function parseConfig(rule: string, path: string, source: string): Json | Finding[] {
  try {
    return record(parse(source));
  } catch (err) {
    return [{ rule, file: path, message: err instanceof Error ? err.message : String(err) }];
  }
}

/** Trivy config: parses, scans for vulnerabilities, secrets and misconfiguration, names its ignore file. */
export function checkTrivyConfig(root: string, path: string, source: string): Finding[] {
  const config = parseConfig('trivy-config', path, source);
  if (Array.isArray(config)) return config;
  const findings: Finding[] = [];
  const scanners = list(record(config.scan).scanners).map(text);
  for (const scanner of ['vuln', 'secret', 'misconfig']) {
    if (!scanners.includes(scanner))
      findings.push({ rule: 'trivy-config', file: path, message: `scanner ${scanner} is off` });
  }
  const ignorefile = text(config.ignorefile);
  if (!ignorefile) {
    findings.push({
      rule: 'trivy-config',
      file: path,
      message: 'no ignorefile: accepted findings must live in one reviewed file',
    });
  } else if (!existsSync(join(root, ignorefile))) {
    findings.push({ rule: 'config-missing', file: path, message: `ignorefile ${ignorefile} does not exist` });
  }
  return findings;
}

/**
 * What is wrong with an acceptance's expiry on `now`, if anything: none, past (`{date}` stands for the
 * day as the file writes it), or more than a year ahead.
 */
export function expiryProblem(expires: Date | undefined, now: Date): string | undefined {
  if (!expires || Number.isNaN(expires.getTime())) return 'has no expiry (YYYY-MM-DD)';
  if (expires.getTime() <= now.getTime()) return 'expired on {date}; review it';
  if (expires.getTime() - now.getTime() > 366 * DAY_MS) return 'expires more than a year ahead';
  return undefined;
}

/**
 * .trivyignore: every entry has a `# reason:` comment right above it (in its comment block) and an
 * `exp:YYYY-MM-DD` expiry that is neither past nor more than a year ahead.
 */
export function checkTrivyIgnore(path: string, source: string, now: Date): Finding[] {
  const findings: Finding[] = [];
  let commentBlock: string[] = [];
  source.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const where = `line ${index + 1}`;
    if (line === '') {
      commentBlock = [];
      return;
    }
    if (line.startsWith('#')) {
      commentBlock.push(line);
      return;
    }
    const [id] = line.split(/\s+/);
    if (!commentBlock.some((comment) => /^#\s*reason(:|\[[a-z_]+\]:)\s*\S/i.test(comment))) {
      findings.push({
        rule: 'trivyignore-reason',
        file: path,
        message: `${where}: ${id} has no "# reason:" comment above it`,
      });
    }
    commentBlock = [];
    const expiry = /\bexp:(\d{4}-\d{2}-\d{2})\b/.exec(line)?.[1];
    const expires = expiry ? new Date(`${expiry}T00:00:00Z`) : undefined;
    if (!expires || Number.isNaN(expires.getTime())) {
      findings.push({
        rule: 'trivyignore-expiry',
        file: path,
        message: `${where}: ${id} has no exp:YYYY-MM-DD`,
      });
    } else if (expires.getTime() <= now.getTime()) {
      findings.push({
        rule: 'trivyignore-expiry',
        file: path,
        message: `${where}: ${id} expired on ${expiry}; review it`,
      });
    } else if (expires.getTime() - now.getTime() > 366 * DAY_MS) {
      findings.push({
        rule: 'trivyignore-expiry',
        file: path,
        message: `${where}: ${id} expires more than a year ahead`,
      });
    }
  });
  return findings;
}

/** The config the osv-scanner gate reads (security/dependencies/osv-scanner-gate.sh's OSV_CONFIG default). */
export const OSV_SCANNER_CONFIG = 'osv-scanner.toml';

/**
 * osv-scanner.toml, as osv-scanner v2.6.0 reads it (internal/config/config.go): `[[IgnoredVulns]]` with
 * `id`, `ignoreUntil`, `reason`, and `[[PackageOverrides]]` whose `ignore` or `vulnerability.ignore`
 * hides findings until `effectiveUntil`. osv-scanner treats a missing date as "forever" and does not
 * require a reason; here each acceptance needs both, expires within a year, and is reviewed on the day it
 * expires. A malicious package is never accepted: its version goes, whatever the reason.
 */
export function checkOsvScannerConfig(path: string, source: string, now: Date): Finding[] {
  let config: Json;
  try {
    config = record(parseToml(source));
  } catch (err) {
    return [
      { rule: 'osv-ignore', file: path, message: `invalid TOML: ${(err as Error).message.split('\n')[0]}` },
    ];
  }
  const findings: Finding[] = [];
  const accept = (what: string, reason: unknown, until: unknown, untilKey: string) => {
    if (!text(reason).trim())
      findings.push({ rule: 'osv-ignore', file: path, message: `${what} has no reason` });
    if (!(until instanceof Date) || Number.isNaN(until.getTime())) {
      findings.push({ rule: 'osv-ignore', file: path, message: `${what} has no ${untilKey} date` });
    } else if (until.getTime() <= now.getTime()) {
      findings.push({
        rule: 'osv-ignore',
        file: path,
        message: `${what} expired on ${until.toISOString().slice(0, 10)}; review it`,
      });
    } else if (until.getTime() - now.getTime() > 366 * DAY_MS) {
      findings.push({ rule: 'osv-ignore', file: path, message: `${what} expires more than a year ahead` });
    }
  };
  for (const entry of list(config.IgnoredVulns).map(record)) {
    const id = text(entry.id);
    if (/^MAL-/i.test(id))
      findings.push({
        rule: 'osv-ignore',
        file: path,
        message: `${id} is a malicious package: remove that version rather than accept it`,
      });
    accept(`IgnoredVulns ${id || '(no id)'}`, entry.reason, entry.ignoreUntil, 'ignoreUntil');
  }
  for (const entry of list(config.PackageOverrides).map(record)) {
    if (entry.ignore !== true && record(entry.vulnerability).ignore !== true) continue;
    const what = `PackageOverrides ${text(entry.name) || '(every package)'}${entry.version ? `@${text(entry.version)}` : ''}`;
    accept(what, entry.reason, entry.effectiveUntil, 'effectiveUntil');
  }
  return findings;
}

export const ZAP_LEVELS: readonly string[] = ['IGNORE', 'INFO', 'WARN', 'FAIL'];

/**
 * ZAP rules file as zap_common.load_config reads it: `#` comments; otherwise exactly
 * id<TAB>level<TAB>name (the unpacking fails on fewer fields); an unknown level aborts the scan.
 */
export function checkZapRules(path: string, source: string): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  source.split('\n').forEach((line, index) => {
    if (line.startsWith('#') || line.trim() === '') return;
    const where = `line ${index + 1}`;
    const fields = line.replace(/\r$/, '').split('\t');
    const [id = '', level = '', name] = fields;
    if (fields.length < 3 || name === undefined) {
      findings.push({ rule: 'zap-rules', file: path, message: `${where}: expected id<TAB>level<TAB>name` });
      return;
    }
    if (level === 'OUTOFSCOPE') {
      if (!id.split(',').every((part) => /^\d+$/.test(part)) && id !== '*')
        findings.push({ rule: 'zap-rules', file: path, message: `${where}: bad rule id ${id}` });
      return;
    }
    if (!/^\d+$/.test(id))
      findings.push({ rule: 'zap-rules', file: path, message: `${where}: bad rule id "${id}"` });
    if (!ZAP_LEVELS.includes(level)) {
      findings.push({
        rule: 'zap-rules',
        file: path,
        message: `${where}: level "${level}" is not one of ${ZAP_LEVELS.join(', ')}`,
      });
    }
    if (seen.has(id))
      findings.push({ rule: 'zap-rules', file: path, message: `${where}: rule ${id} listed twice` });
    seen.add(id);
  });
  return findings;
}

/** CodeQL config: parses, uses the security-extended suite, ignores generated paths. */
export function checkCodeqlConfig(path: string, source: string): Finding[] {
  const config = parseConfig('codeql-config', path, source);
  if (Array.isArray(config)) return config;
  const findings: Finding[] = [];
  const suites = list(config.queries).map((query) => text(record(query).uses));
  if (!suites.some((suite) => suite === 'security-extended' || suite === 'security-and-quality')) {
    findings.push({ rule: 'codeql-config', file: path, message: 'queries must include security-extended' });
  }
  if (list(config['paths-ignore']).length === 0) {
    findings.push({
      rule: 'codeql-config',
      file: path,
      message: 'paths-ignore is empty (dist/, coverage/ would be analysed)',
    });
  }
  return findings;
}

/** Dependabot: npm, github-actions and docker, each on a schedule and grouped. */
export function checkDependabot(path: string, source: string): Finding[] {
  const config = parseConfig('dependabot', path, source);
  if (Array.isArray(config)) return config;
  const findings: Finding[] = [];
  const updates = list(config.updates).map(record);
  for (const ecosystem of ['npm', 'github-actions', 'docker']) {
    const update = updates.find((u) => u['package-ecosystem'] === ecosystem);
    if (!update) findings.push({ rule: 'dependabot', file: path, message: `no updates for ${ecosystem}` });
    else if (!record(update.schedule).interval || !isRecord(update.groups)) {
      findings.push({ rule: 'dependabot', file: path, message: `${ecosystem} needs a schedule and groups` });
    }
  }
  return findings;
}

export function readIfExists(root: string, path: string): string | undefined {
  const full = join(root, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

/** The gate configuration named by the workflows, checked by type. */
export function checkPolicyFiles(root: string, workflows: WorkflowFile[], now: Date): Finding[] {
  const findings: Finding[] = [];
  const checked = new Set<string>();
  const checkOnce = (path: string, check: (source: string) => Finding[]) => {
    if (checked.has(path)) return;
    checked.add(path);
    const source = readIfExists(root, path);
    if (source === undefined)
      findings.push({ rule: 'config-missing', file: path, message: 'named by a workflow but missing' });
    else findings.push(...check(source));
  };
  for (const file of workflows) {
    let workflow: Json;
    try {
      workflow = record(parse(file.text));
    } catch {
      continue;
    }
    findings.push(...checkInlineCheckovSkips(file.path, file.text));
    for (const job of Object.values(record(workflow.jobs))) {
      for (const step of list(record(job).steps).map(record)) {
        const action = actionName(text(step.uses));
        const inputs = record(step.with);
        const named = (key: string) => text(inputs[key]).replace(/^\.\//, '');
        if (action === 'bridgecrewio/checkov-action') {
          checkOnce(named('config_file') || '.checkov.yaml', (source) =>
            checkCheckovConfig(named('config_file'), source),
          );
        }
        if (action === 'aquasecurity/trivy-action' && named('trivy-config')) {
          checkOnce(named('trivy-config'), (source) => {
            const own = checkTrivyConfig(root, named('trivy-config'), source);
            const ignorefile = text(record(parse(source)).ignorefile);
            const ignores = ignorefile ? readIfExists(root, ignorefile) : undefined;
            return ignores === undefined ? own : own.concat(checkTrivyIgnore(ignorefile, ignores, now));
          });
        }
        if (action.startsWith('zaproxy/') && named('rules_file_name')) {
          checkOnce(named('rules_file_name'), (source) => checkZapRules(named('rules_file_name'), source));
        }
        if (action === 'github/codeql-action/init' && named('config-file')) {
          checkOnce(named('config-file'), (source) => checkCodeqlConfig(named('config-file'), source));
        }
      }
    }
  }
  // The osv-scanner gate's config, when a workflow runs that gate (it is a script, not an action).
  if (workflows.some((file) => file.text.includes('osv-scanner-gate.sh'))) {
    checkOnce(OSV_SCANNER_CONFIG, (source) => checkOsvScannerConfig(OSV_SCANNER_CONFIG, source, now));
  }
  const dockerfile = readIfExists(root, 'Dockerfile');
  if (dockerfile !== undefined) findings.push(...checkInlineCheckovSkips('Dockerfile', dockerfile));
  const dependabot = readIfExists(root, '.github/dependabot.yml');
  if (dependabot === undefined)
    findings.push({ rule: 'dependabot', file: '.github/dependabot.yml', message: 'missing' });
  else findings.push(...checkDependabot('.github/dependabot.yml', dependabot));
  return findings;
}
