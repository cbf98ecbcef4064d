import { checkWorkflowSyntax, readWorkflows } from '../../security/workflow-policy.ts';
import { edited, GATES, mutated, PIPELINE, ROOT } from './helpers.ts';

// GitHub's own parser (@actions/workflow-parser), bundled with esbuild because plain Node refuses its
// JSON imports. The first call bundles it (seconds on a busy machine), hence the longer timeout.
jest.setTimeout(60_000);

describe("GitHub's workflow parser", () => {
  it.each(readWorkflows(ROOT).map((file) => [file.path, file] as const))(
    'accepts %s',
    async (_path, file) => {
      expect(await checkWorkflowSyntax(ROOT, file)).toEqual([]);
    },
  );

  it('reports a misspelt job key', async () => {
    const file = edited(GATES, (text) =>
      text.replace('    timeout-minutes: 15\n', '    timeout-minute: 15\n'),
    );
    const findings = await checkWorkflowSyntax(ROOT, file);
    expect(findings.map((finding) => finding.message).join('\n')).toMatch(
      /Unexpected value 'timeout-minute'/,
    );
  });

  it('reports needs on a job that does not exist', async () => {
    const file = mutated(PIPELINE, (document) =>
      document.setIn(['jobs', 'publish', 'needs'], ['gates', 'no-such-job']),
    );
    const findings = await checkWorkflowSyntax(ROOT, file);
    expect(findings.map((finding) => finding.message).join('\n')).toMatch(/no-such-job/);
  });
});
