// A job that checks out only part of the repository (actions/checkout's `sparse-checkout`, cone mode:
// the listed folders and the files at the root) must still have every file its steps run, and every file
// those scripts read through their `$root/…` paths. The rehearsal found the deploy jobs failing at
// "Check cosign against the SHA-256 security/tools.json keeps": scripts/ci/ was not checked out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readWorkflows } from '../../security/workflow-policy.ts';

const ROOT = join(import.meta.dirname, '../..');

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Workflow = { jobs?: Record<string, { steps?: Step[] }> };

// A path into one of the repository's folders, as a step's shell or a script names it.
const REPOSITORY_PATH = /(?<![\w$./-])((?:deploy|scripts|security|src|test|docs)\/[\w./-]+)/g;
// What a shell script of ours reads relative to the repository root ("$root/security/tools.json").
const ROOT_PATH = /\$root\/([\w./-]+)/g;

/** Every repository file a `run:` block needs: the files it names, then what each script reads, recursively. */
function filesNeeded(run: string): string[] {
  const needed = new Set<string>();
  const visit = (path: string) => {
    if (needed.has(path) || !existsSync(join(ROOT, path))) return;
    needed.add(path);
    if (!path.endsWith('.sh')) return;
    for (const [, read] of readFileSync(join(ROOT, path), 'utf8').matchAll(ROOT_PATH)) visit(read!);
  };
  for (const [, path] of run.matchAll(REPOSITORY_PATH)) visit(path!);
  return [...needed].sort();
}

/** Whether cone-mode sparse checkout of these folders holds the file. */
function covered(folders: string[], file: string): boolean {
  return !file.includes('/') || folders.some((folder) => file.startsWith(`${folder.replace(/\/$/, '')}/`));
}

const sparseJobs = readWorkflows(ROOT).flatMap(({ path, text }) => {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const workflow = parse(text) as Workflow;
  return Object.entries(workflow.jobs ?? {}).flatMap(([job, { steps = [] }]) => {
    const index = steps.findIndex(
      (step) => step.uses?.startsWith('actions/checkout@') && step.with?.['sparse-checkout'],
    );
    if (index < 0) return [];
    const sparse = steps[index]!.with!['sparse-checkout'];
    const folders = String(sparse).split(/\s+/).filter(Boolean);
    const runs = steps.slice(index + 1).flatMap((step) => (step.run ? [step.run] : []));
    return [[`${file} ${job}`, folders, runs] as const];
  });
});

describe('sparse checkouts', () => {
  test('the deploy jobs check out part of the repository (the case this test is for)', () => {
    expect(sparseJobs.map(([name]) => name)).toEqual(
      expect.arrayContaining(['deploy-cloudrun.yml deploy', 'deploy-beanstalk.yml deploy']),
    );
  });

  test.each(sparseJobs)('%s checks out every file its steps run and read', (_name, folders, runs) => {
    const needed = runs.flatMap(filesNeeded);
    expect(needed.length).toBeGreaterThan(0);
    expect(needed.filter((file) => !covered(folders, file))).toEqual([]);
  });

  test("a script's own reads count: check-tool-sha256.sh needs security/tools.json", () => {
    expect(filesNeeded('scripts/ci/check-tool-sha256.sh cosign')).toEqual([
      'scripts/ci/check-tool-sha256.sh',
      'security/tools.json',
    ]);
    expect(covered(['deploy', 'scripts/ci'], 'security/tools.json')).toBe(false);
    expect(covered(['deploy', 'security/'], 'security/tools.json')).toBe(true);
    expect(covered(['deploy'], 'package.json')).toBe(true);
  });
});
