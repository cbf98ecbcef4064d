/**
 * The workflow policy's layout, zizmor's: each rule id is one file under security/workflow-policy/rules/
 * named by that id, has its fixture under the same name in fixtures/workflow-policy/ (<id>.yml, which
 * the real policy reports that rule for and no other), and is described by one generated section of
 * docs/workflow-rules.md that links both; no file, fixture or section without its rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { regenerate } from '../../security/gates/generated-files.ts';
import { REGISTERED_RULES, ruleFile, ruleFixture, WORKFLOW_RULES } from '../../security/workflow-policy.ts';
import { ROOT } from './helpers.ts';
import { checkFixture, FIXTURES, fixtureName, fixtures, fixtureText, marks } from './workflow-fixtures.ts';

const ids = [...new Set(REGISTERED_RULES.map((rule) => rule.id))].sort();
const RULES_DIR = join(ROOT, 'security', 'workflow-policy', 'rules');
const DOCS = 'docs/workflow-rules.md';
const docs = readFileSync(join(ROOT, DOCS), 'utf8');

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

describe('each rule has its fixture under its name', () => {
  it('every rule id has <id>.yml, and every fixture is named by a rule id (<id>.yml or <id>.ok.yml)', () => {
    expect(ids.filter((id) => !fixtures.includes(`${id}.yml`))).toEqual([]);
    expect(fixtures.filter((name) => WORKFLOW_RULES[fixtureName(name)?.rule ?? ''] === undefined)).toEqual(
      [],
    );
    expect(ids.map((id) => join(ROOT, ruleFixture(id)))).toEqual(
      ids.map((id) => join(FIXTURES, `${id}.yml`)),
    );
  });

  // The key property: run the real policy over the fixture and compare the rules it reports with the
  // file's name. A fixture that also broke another rule would not show that its own rule bites.
  it.each(fixtures)('%s reports the rule it is named by, and no other', (name) => {
    const { rule, clean } = fixtureName(name) ?? { rule: '', clean: false };
    const reported = [...new Set(checkFixture(name).map((finding) => finding.rule))];
    expect(reported).toEqual(clean ? [] : [rule]);
    const marked = new Set(marks(fixtureText(name)).map((mark) => mark.split(':')[1]));
    expect([...marked]).toEqual(clean ? [] : [rule]);
  });

  it('keeps a fixture checked as the gates workflow to its own rule by its "# gates:" header', () => {
    const text = fixtureText('oci-build.yml');
    const withoutHeader = text.replace(/^# gates: .*\n/m, '');
    expect(withoutHeader).not.toBe(text);
    const rules = new Set(checkFixture('oci-build.yml', withoutHeader).map((finding) => finding.rule));
    expect(rules).toEqual(new Set(['oci-build', 'gate-jobs']));
  });
});

describe('each rule has its docs section', () => {
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
