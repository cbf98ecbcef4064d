/**
 * The Checkov gate with the real Checkov that scripts/ci/install-tools.sh installed, at its pin: it runs
 * in `npm run test:scanners` with the other real-tool tests (jest.config.js, the scanners project), not
 * in `npm test`, since Checkov alone takes about half a minute. How the tool is chosen: tools.test.ts.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATES } from '../../security/gates/local-gates.ts';
import { toolsDir } from '../../security/gates/tools.ts';
import { ROOT, runQuietly } from './gate-sandbox.ts';

const checkov = join(toolsDir(), 'bin', 'checkov');
const whenInstalled = (path: string) => (existsSync(path) ? it : it.skip);

describe('the Checkov gate, native', () => {
  whenInstalled(checkov)(
    'runs the installed Checkov on the repository with checkov.yaml, writes the SARIF CI reads, and fails on a root Dockerfile',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'gates-checkov-'));
      try {
        mkdirSync(join(root, 'security', 'gates'), { recursive: true });
        for (const file of ['checkov.yaml', 'security/tools.json', 'security/gates/images.json'])
          copyFileSync(join(ROOT, file), join(root, file));
        copyFileSync(
          join(ROOT, 'security/self-test/checkov/root-user.Containerfile'),
          join(root, 'Dockerfile'),
        );
        const gate = GATES.find((candidate) => candidate.name === 'checkov')!;
        const { results } = await runQuietly(root, [gate]);
        const [result] = results;
        expect(result).toMatchObject({ name: 'checkov', status: 'failed', via: 'native 3.3.13' });
        const sarif = JSON.parse(readFileSync(join(root, 'reports', 'checkov.sarif'), 'utf8')) as {
          runs: { tool: { driver: { name: string; version: string } }; results: { ruleId: string }[] }[];
        };
        expect(sarif.runs[0]?.tool.driver).toMatchObject({ name: 'Checkov', version: '3.3.13' });
        expect(sarif.runs.flatMap((run) => run.results.map((finding) => finding.ruleId))).toEqual(
          expect.arrayContaining(['CKV_DOCKER_3']),
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
