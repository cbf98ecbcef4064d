/**
 * The workflow policy's layout, zizmor's: each rule id is one file under security/workflow-policy/rules/
 * named by that id, marked by a fixture under fixtures/workflow-policy/ (`# expect: <id>`), and described
 * by one generated section of docs/workflow-rules.md; no file, fixture mark or section without its rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { regenerate } from '../../security/gates/generated-files.ts';
import { REGISTERED_RULES, ruleFile, WORKFLOW_RULES } from '../../security/workflow-policy.ts';
import { ROOT } from './helpers.ts';

const ids = [...new Set(REGISTERED_RULES.map((rule) => rule.id))].sort();
const RULES_DIR = join(ROOT, 'security', 'workflow-policy', 'rules');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'workflow-policy');
const DOCS = 'docs/workflow-rules.md';
const docs = readFileSync(join(ROOT, DOCS), 'utf8');

/** Every rule id a fixture marks with "# expect: <id>[, <id>]". */
const marked = new Set(
  readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.yml'))
    .flatMap((name) =>
      [...readFileSync(join(FIXTURES, name), 'utf8').matchAll(/expect: (.+)$/gm)].flatMap((match) =>
        (match[1] ?? '').trim().split(/,\s*/),
      ),
    ),
);

describe('one file per invariant, named by its id', () => {
  it('the rules folder holds exactly one file per registered rule id', () => {
    const files = readdirSync(RULES_DIR)
      .map((name) => name.replace(/\.ts$/, ''))
      .sort();
    expect(files).toEqual(ids);
  });

  it.each(ids)('%s is defined in its own file, and only it', (id) => {
    const source = readFileSync(join(ROOT, ruleFile(id)), 'utf8');
    const defined = [...source.matchAll(/defineRule\(\s*'([^']+)'/g)].map((match) => match[1]);
    expect(defined.length).toBeGreaterThan(0);
    expect(new Set(defined)).toEqual(new Set([id]));
  });
});

describe('each rule has its fixture and its docs section', () => {
  it('every rule id is marked by a fixture, and every mark names a rule', () => {
    expect(ids.filter((id) => !marked.has(id))).toEqual([]);
    expect([...marked].filter((id) => WORKFLOW_RULES[id] === undefined)).toEqual([]);
  });

  it('docs/workflow-rules.md has one section per rule id and no other', () => {
    const sections = [...docs.matchAll(/^### `([^`]+)`$/gm)].map((match) => match[1]).sort();
    expect(sections).toEqual(ids);
  });

  it('a section or a required status check edited by hand is stale, and generate writes it back', () => {
    const noSection = docs.replace(/^### `timeout`$[\s\S]*?(?=^### )/m, '');
    expect(noSection).not.toBe(docs);
    expect(regenerate(DOCS, noSection)).toBe(docs);
    const pipeline = readFileSync(join(ROOT, 'docs/pipeline.md'), 'utf8');
    const noCheck = pipeline.replace('   - `Gates / Secret scan of every added commit`\n', '');
    expect(noCheck).not.toBe(pipeline);
    expect(regenerate('docs/pipeline.md', noCheck)).toBe(pipeline);
  });

  it('the required status checks include the workflow linters and the history secret scan', () => {
    const pipeline = readFileSync(join(ROOT, 'docs/pipeline.md'), 'utf8');
    const block = /<!-- required-checks:start -->\n([\s\S]*?)\n\s*<!-- required-checks:end -->/.exec(
      pipeline,
    )?.[1];
    expect(block).toContain('`Gates / zizmor (workflow security audit)`');
    expect(block).toContain('`Gates / actionlint (workflow syntax and expressions)`');
    expect(block).toContain('`Gates / Secret scan of every added commit`');
  });
});
