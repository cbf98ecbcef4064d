/**
 * The tool-version rule (security/workflow-policy/helpers/tool-pins.ts) on plants tool-pins.test.ts does
 * not make: an installer action whose tool tools.json does not pin, an action with no release comment,
 * a recorded default that differs from the pin, and a version input that matches it (no finding).
 * Each plant edits a copy of the files the rule reads, then the whole workflow policy runs on it.
 */
import { checkRepository } from '../../security/workflow-policy.ts';
import { plantedCopy, removePlantedCopies } from './helpers.ts';

afterAll(removePlantedCopies);

const toolFindings = (root: string) =>
  checkRepository(root)
    .filter((finding) => finding.rule.startsWith('tool-version'))
    .map((finding) => finding.message);

const tools =
  (change: (pins: { actions: Record<string, { tool: string; defaults: Record<string, string> }> }) => void) =>
  (text: string) => {
    const pins = JSON.parse(text) as Parameters<typeof change>[0];
    change(pins);
    return `${JSON.stringify(pins, null, 2)}\n`;
  };

describe('tool-version on an installer action', () => {
  it('whose tool tools.json does not pin', () => {
    const root = plantedCopy(
      'security/tools.json',
      tools((pins) => {
        (pins.actions['ossf/scorecard-action'] as { tool: string }).tool = 'no-such-tool';
      }),
    );
    expect(toolFindings(root)).toEqual([
      expect.stringMatching(/: no-such-tool is not in security\/tools\.json$/),
    ]);
  });

  it('with no release comment beside its SHA, and no input to set the version', () => {
    const root = plantedCopy('.github/workflows/scorecard.yml', (text) =>
      text.replace(/(ossf\/scorecard-action@\w+) # v2\.4\.4/, '$1'),
    );
    expect(toolFindings(root)).toEqual([
      expect.stringMatching(
        /ossf\/scorecard-action \(no release comment\) installs is not recorded .*or set a version\)$/,
      ),
    ]);
  });

  it('whose recorded default at its release is not the pinned version', () => {
    const root = plantedCopy(
      'security/tools.json',
      tools((pins) => {
        (pins.actions['ossf/scorecard-action'] as { defaults: Record<string, string> }).defaults['v2.4.4'] =
          'v5.4.0';
      }),
    );
    expect(toolFindings(root)).toEqual([
      expect.stringMatching(
        /ossf\/scorecard-action v2\.4\.4 installs scorecard v5\.4\.0, but security\/tools\.json pins v5\.5\.0$/,
      ),
    ]);
  });

  it('at a release not recorded, naming the input that would set the version', () => {
    const trivy = plantedCopy(
      'security/tools.json',
      tools((pins) => {
        const entry = pins.actions['aquasecurity/trivy-action'] as { defaults: Record<string, string> };
        entry.defaults = { 'v0.35.0': 'v0.70.0' };
      }),
    );
    expect(toolFindings(trivy)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /aquasecurity\/trivy-action v0\.36\.0 installs is not recorded .*or set version\)$/,
        ),
      ]),
    );
  });

  it('given the pinned version as its input passes', () => {
    const root = plantedCopy('.github/workflows/pipeline.yml', (text) =>
      text.replace(
        /(uses: aquasecurity\/trivy-action@\w+ # v0\.36\.0\n\s+with:\n)/,
        '$1          version: v0.70.0\n',
      ),
    );
    expect(toolFindings(root)).toEqual([]);
  });
});
