/**
 * The workflow-policy fixtures, zizmor's layout (crates/zizmor/tests/integration/test-data/<audit>.yml):
 * one file per rule id, fixtures/workflow-policy/<id>.yml, the smallest workflow that breaks that rule
 * and no other. Each line the rule must report carries `# expect: <id>`; a line without a mark must have
 * none, so the unmarked jobs and steps of the file are its clean counterparts. Where a clean counterpart
 * needs other headers than the fixture (another `# root:`), it is `<id>.ok.yml`, which must report
 * nothing.
 *
 * Headers, each one comment line at the top:
 * - `# path: <path>` checks the file as that workflow (a rule that concerns one workflow).
 * - `# root: <folder>` checks it beside that folder of the repository (a rule that reads files there).
 * - `# gates: <job>, …` holds it to those entries of the gate list only (security/gates/catalog.ts), so a
 *   fixture checked as the gates workflow does not change when a gate is added to the list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATE_JOBS } from '../../security/gates/catalog.ts';
import { checkWorkflow } from '../../security/workflow-policy.ts';
import type { Finding, ReviewedAction } from '../../security/workflow-policy.ts';
import { ROOT } from './helpers.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures', 'workflow-policy');

/** The reviewed-actions table the fixtures are checked against, so a real pin bump changes none of them. */
const fixtureActions = (
  JSON.parse(readFileSync(join(FIXTURES, 'actions.json'), 'utf8')) as {
    actions: Record<string, ReviewedAction>;
  }
).actions;

/** Every fixture workflow, by file name. */
export const fixtures: readonly string[] = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.yml'))
  .sort();

/** What a fixture's name says: the rule it is for, and whether it is that rule's clean counterpart. */
export function fixtureName(name: string): { rule: string; clean: boolean } | undefined {
  const match = /^([a-z0-9-]+)(\.ok)?\.yml$/.exec(name);
  return match ? { rule: match[1] ?? '', clean: match[2] !== undefined } : undefined;
}

export const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** "line:rule" for every "# expect: rule[, rule]" mark in a fixture. */
export function marks(source: string): string[] {
  return source.split('\n').flatMap((line, index) => {
    const expected = /expect: (.+)$/.exec(line)?.[1];
    return expected
      ? expected
          .trim()
          .split(/,\s*/)
          .map((rule) => `${index + 1}:${rule}`)
      : [];
  });
}

/** Every finding the real policy reports for a fixture (or an edited copy of its text), read with its headers. */
export function checkFixture(name: string, text = fixtureText(name)): Finding[] {
  const headers = new Map(
    [...text.matchAll(/^# (path|root|gates): (.+)$/gm)].map((match) => [match[1], (match[2] ?? '').trim()]),
  );
  const header = (key: string) => headers.get(key);
  const path = header('path') ?? `test/fixtures/${name}`;
  const root = join(ROOT, header('root') ?? '.');
  const gates = header('gates')?.split(/,\s*/);
  const gateJobs = gates && GATE_JOBS.filter((entry) => gates.includes(entry.job));
  if (gates && gateJobs?.length !== gates.length)
    throw new Error(`${name}: "# gates: ${gates.join(', ')}" names a job the gate list does not have`);
  return checkWorkflow(root, { path, text }, { actions: fixtureActions, ...(gateJobs ? { gateJobs } : {}) });
}
