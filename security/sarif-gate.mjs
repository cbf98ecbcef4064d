#!/usr/bin/env node
// Gates on a SARIF report: CodeQL's analyze step never fails on alerts (codeql-action#304), so the
// pipeline reads the SARIF it writes and fails here. Also counts findings of any SARIF report for the
// run summary (--count-only).
//
//   node security/sarif-gate.mjs [--fail-level error[,warning,...]] [--count-only] FILE_OR_DIR...
//
// A directory means every *.sarif file in it. A result's level is its own `level`, else its rule's
// `defaultConfiguration.level`, else "warning" (SARIF 2.1.0, 3.27.10). Results suppressed with status
// "accepted" (an in-code dismissal that review approved) do not count.
// Exit codes: 0 pass, 1 findings at a failing level, 2 unreadable input or bad usage.
// Writes `findings=<all results>` and `blocking=<failing results>` to $GITHUB_OUTPUT when it is set.
/* eslint-disable security/detect-non-literal-fs-filename -- reads the report paths CI passes on its
   command line and writes to the runner's $GITHUB_OUTPUT; a CLI for the pipeline, not a server. */
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const SARIF_LEVELS = new Set(['none', 'note', 'warning', 'error']);

/** Lists the SARIF files a path names: the file itself, or a directory's *.sarif files. */
function sarifFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.sarif'))
    .sort()
    .map((name) => join(path, name));
}

/** Flattens a SARIF log into { tool, ruleId, level, message, location } entries. */
function sarifResults(log) {
  if (!log || !Array.isArray(log.runs)) throw new Error('not a SARIF log: no "runs" array');
  const results = [];
  for (const run of log.runs) {
    const driver = run.tool?.driver ?? {};
    const rules = new Map();
    for (const rule of driver.rules ?? []) rules.set(rule.id, rule);
    for (const result of run.results ?? []) {
      if ((result.suppressions ?? []).some((s) => (s.status ?? 'accepted') === 'accepted')) continue;
      const ruleId = result.ruleId ?? result.rule?.id ?? 'unknown-rule';
      const ruleIndex = result.ruleIndex ?? result.rule?.index;
      const rule = rules.get(ruleId) ?? (ruleIndex === undefined ? undefined : driver.rules?.[ruleIndex]);
      const level = result.level ?? rule?.defaultConfiguration?.level ?? 'warning';
      const physical = result.locations?.[0]?.physicalLocation;
      const location = physical
        ? `${physical.artifactLocation?.uri ?? '?'}:${physical.region?.startLine ?? '?'}`
        : '(no location)';
      results.push({
        tool: driver.name ?? 'unknown tool',
        ruleId,
        level,
        message: result.message?.text ?? '',
        location,
      });
    }
  }
  return results;
}

function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'fail-level': { type: 'string', default: 'error' },
      'count-only': { type: 'boolean', default: false },
    },
  });
  const failLevels = new Set(values['fail-level'].split(',').map((level) => level.trim()));
  const unknownLevel = [...failLevels].find((level) => !SARIF_LEVELS.has(level));
  if (positionals.length === 0 || unknownLevel !== undefined) {
    console.error(
      'usage: sarif-gate.mjs [--fail-level error[,warning,note,none]] [--count-only] FILE_OR_DIR...',
    );
    return 2;
  }

  const results = [];
  let files = 0;
  try {
    for (const path of positionals) {
      for (const file of sarifFiles(path)) {
        results.push(...sarifResults(JSON.parse(readFileSync(file, 'utf8'))));
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

  const blocking = values['count-only'] ? [] : results.filter((result) => failLevels.has(result.level));
  for (const result of results) {
    const mark = blocking.includes(result) ? 'BLOCKING' : 'finding';
    console.log(
      `${mark} ${result.level} ${result.tool} ${result.ruleId} ${result.location} ${result.message}`,
    );
  }
  console.log(
    `${results.length} finding(s) in ${files} SARIF file(s)` +
      (values['count-only'] ? '' : `, ${blocking.length} at level ${[...failLevels].join('/')}`),
  );
  if (process.env.GITHUB_OUTPUT) {
    appendFileSync(process.env.GITHUB_OUTPUT, `findings=${results.length}\nblocking=${blocking.length}\n`);
  }
  return blocking.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
