#!/usr/bin/env node
// Gates on a SARIF report: CodeQL's analyze step never fails on alerts (codeql-action#304), so the
// pipeline reads the SARIF it writes and fails here. Also counts findings of any SARIF report for the
// run summary (--count-only).
//
//   node security/sarif-gate.mjs [--fail-level error[,warning,...]] [--fail-security-severity 7.0]
//                                [--count-only] FILE_OR_DIR...
//
// A directory means every *.sarif file in it. Rules, levels and suppressions are read by the one SARIF
// reader (security/sarif-reader.mjs) the local gate runner uses too. A result blocks when its level is
// a failing level, or when its rule's `security-severity` reaches --fail-security-severity (7.0 is
// GitHub's "high"; CodeQL results carry no level of their own, so severity is what ranks them).
// Exit codes: 0 pass, 1 blocking findings, 2 unreadable input or bad usage.
// Writes `findings=<all results>` and `blocking=<failing results>` to $GITHUB_OUTPUT when it is set.
/* eslint-disable security/detect-non-literal-fs-filename -- writes to the runner's $GITHUB_OUTPUT; a
   CLI for the pipeline, not a server. */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SARIF_LEVELS, isBlocking, readSarifFindings, sarifFiles } from './sarif-reader.mjs';

const USAGE =
  'usage: sarif-gate.mjs [--fail-level error[,warning,note,none]] [--fail-security-severity 0-10] [--count-only] FILE_OR_DIR...';

function main(argv) {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'fail-level': { type: 'string', default: 'error' },
        'fail-security-severity': { type: 'string' },
        'count-only': { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`sarif-gate: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    return 2;
  }
  const failLevels = new Set(values['fail-level'].split(',').map((level) => level.trim()));
  const unknownLevel = [...failLevels].find((level) => !SARIF_LEVELS.includes(level));
  const severityText = values['fail-security-severity'];
  const minSecuritySeverity = severityText === undefined ? undefined : Number(severityText);
  const badSeverity =
    minSecuritySeverity !== undefined &&
    (!Number.isFinite(minSecuritySeverity) || minSecuritySeverity < 0 || minSecuritySeverity > 10);
  if (positionals.length === 0 || unknownLevel !== undefined || badSeverity) {
    console.error(USAGE);
    return 2;
  }

  const findings = [];
  let files = 0;
  try {
    for (const path of positionals) {
      for (const file of sarifFiles(path)) {
        findings.push(...readSarifFindings(file));
        files += 1;
      }
    }
  } catch (err) {
    console.error(`sarif-gate: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  if (files === 0) {
    // No report at all must not read as "no findings": the scanner did not run or wrote elsewhere.
    console.error(`sarif-gate: no SARIF file found in ${positionals.join(', ')}`);
    return 2;
  }

  const policy = { failLevels, minSecuritySeverity };
  const blocking = values['count-only'] ? [] : findings.filter((finding) => isBlocking(finding, policy));
  for (const finding of findings) {
    const mark = blocking.includes(finding) ? 'BLOCKING' : 'finding';
    const severity = finding.securitySeverity === undefined ? '' : ` severity=${finding.securitySeverity}`;
    const location = finding.file === undefined ? '(no location)' : `${finding.file}:${finding.line ?? '?'}`;
    console.log(
      `${mark} ${finding.level}${severity} ${finding.tool} ${finding.ruleId} ${location} ${finding.message}`,
    );
  }
  const threshold =
    `level ${[...failLevels].join('/')}` +
    (minSecuritySeverity === undefined ? '' : ` or security-severity >= ${minSecuritySeverity}`);
  console.log(
    `${findings.length} finding(s) in ${files} SARIF file(s)` +
      (values['count-only'] ? '' : `, ${blocking.length} at ${threshold}`),
  );
  if (process.env.GITHUB_OUTPUT) {
    appendFileSync(process.env.GITHUB_OUTPUT, `findings=${findings.length}\nblocking=${blocking.length}\n`);
  }
  return blocking.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
