// The rehearsal's edits to its workflow copies (test/rehearsal/edits.mjs), without a run: every edit still
// applies to this tree, and the cosign check after cosign-installer, as edited, passes on the rehearsal's
// own cosign build (which is not the release whose SHA-256 security/tools.json keeps) and fails on
// anything else, the stand-in installer's wrapper included. The rehearsal itself is `.ci/run`'s.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { applyEdits, editsFor } from '../rehearsal/edits.mjs';
import { ROOT } from './helpers.ts';

type Workflow = { jobs: Record<string, { steps?: { run?: string }[] }> };

const COSIGN_WORKFLOWS = ['pipeline', 'deploy-cloudrun', 'deploy-beanstalk'].map(
  (name) => `.github/workflows/${name}.yml`,
);
const onLinuxAmd64 = platform() === 'linux' && arch() === 'x64';

let work: string;
let tree: string;
let built: string;
let wrapperDir: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'rehearsal-edits-'));
  tree = join(work, 'repo');
  for (const part of ['.github/workflows', 'security/tools.json', 'scripts/ci/check-tool-sha256.sh'])
    cpSync(join(ROOT, part), join(tree, part), { recursive: true });
  // The rehearsal's cosign (REHEARSAL_COSIGN), and the stand-in installer's wrapper in front of it on PATH.
  mkdirSync(join(work, 'tools'));
  built = join(work, 'tools', 'cosign');
  writeFileSync(built, '#!/bin/sh\necho "cosign built from source"\n');
  chmodSync(built, 0o755);
  wrapperDir = join(work, 'cosign-bin');
  mkdirSync(wrapperDir);
  writeFileSync(join(wrapperDir, 'cosign'), '#!/bin/sh\nexec "$REHEARSAL_COSIGN" "$@"\n');
  chmodSync(join(wrapperDir, 'cosign'), 0o755);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** The `run` of every step that checks cosign's hash, in a workflow of the tree. */
const checkSteps = (file: string): string[] =>
  Object.values((parse(readFileSync(join(tree, file), 'utf8')) as Workflow).jobs)
    .flatMap((job) => job.steps ?? [])
    .map((step) => step.run ?? '')
    .filter((run) => run.includes('scripts/ci/check-tool-sha256.sh cosign'));

const runStep = (run: string) =>
  spawnSync('bash', ['--norc', '--noprofile', '-e', '-c', run], {
    cwd: tree,
    encoding: 'utf8',
    env: { PATH: `${wrapperDir}:${process.env.PATH ?? ''}`, REHEARSAL_COSIGN: built, HOME: work, LANG: 'C' },
  });

it('every edit applies to this tree, each logged with its reason, and leaves every file it edits valid', () => {
  const edits = editsFor('127.0.0.1:5000', { cosign: built });
  const lines = applyEdits(tree, edits);
  expect(lines.some((line) => line.startsWith('security/tools.json: cosign is built here'))).toBe(true);
  // An edit's text is spliced into the file as it is: in a workflow, a plain scalar holding ": " no
  // longer parses, and the rehearsal then stops before act runs (applyJobResults cannot write it back).
  for (const file of new Set(edits.map((edit) => edit.file))) {
    const errors = parseDocument(readFileSync(join(tree, file), 'utf8')).errors;
    expect([file, errors.map((error) => error.message)]).toEqual([file, []]);
  }
});

it("the copy's tools.json keeps the local build's SHA-256, and every cosign check hashes that build", () => {
  applyEdits(tree, editsFor('127.0.0.1:5000', { cosign: built }));
  const pins = JSON.parse(readFileSync(join(tree, 'security/tools.json'), 'utf8')) as {
    tools: { cosign: { release: { 'linux-amd64': { sha256: string } } } };
  };
  expect(pins.tools.cosign.release['linux-amd64'].sha256).toBe(
    createHash('sha256').update(readFileSync(built)).digest('hex'),
  );
  for (const file of COSIGN_WORKFLOWS) {
    const runs = checkSteps(file);
    expect([file, runs.length]).toEqual([file, 1]);
    expect(runs[0]).toContain('PATH="$(dirname "${REHEARSAL_COSIGN}"):${PATH}"');
  }
});

(onLinuxAmd64 ? describe : describe.skip)('the edited check, run as the rehearsal runs it', () => {
  it('passes on the rehearsal build', () => {
    applyEdits(tree, editsFor('127.0.0.1:5000', { cosign: built }));
    const result = runStep(checkSteps(COSIGN_WORKFLOWS[0] ?? '')[0] ?? '');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${built} matches security/tools.json`);
  });

  it('fails unedited (the release hash), and edited when the binary is another', () => {
    const original = checkSteps(COSIGN_WORKFLOWS[0] ?? '')[0] ?? '';
    expect(runStep(original).status).toBe(1);
    applyEdits(tree, editsFor('127.0.0.1:5000', { cosign: built }));
    writeFileSync(built, '#!/bin/sh\necho "another cosign"\n');
    const result = runStep(checkSteps(COSIGN_WORKFLOWS[0] ?? '')[0] ?? '');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is not the cosign release security/tools.json pins');
  });
});
