/**
 * Where the hook and the history scan look for gitleaks (security/gitleaks.mjs, findGitleaks): $GITLEAKS,
 * then the pinned one scripts/ci/install-tools.sh installed, then PATH, then ~/go/bin. Each place holds
 * a stand-in executable here; nothing is run.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findGitleaks } from '../../security/gitleaks.mjs';

let scratch = '';
const place = (name: string, executable = true): string => {
  const directory = join(scratch, name, 'bin');
  mkdirSync(directory, { recursive: true });
  const binary = join(directory, 'gitleaks');
  writeFileSync(binary, '#!/bin/sh\n');
  chmodSync(binary, executable ? 0o755 : 0o644);
  return binary;
};

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'find-gitleaks-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

test('the pinned install comes before PATH and ~/go/bin', () => {
  const pinned = place('tools');
  const onPath = place('path');
  place('go');
  const env = {
    SHS_TOOLS_DIR: join(scratch, 'tools'),
    PATH: join(scratch, 'path', 'bin'),
    GOPATH: join(scratch, 'go'),
  };
  expect(findGitleaks(env)).toBe(pinned);
  rmSync(pinned);
  expect(findGitleaks(env)).toBe(onPath);
});

test('~/go/bin last; a file that is not executable is passed over; none found is undefined', () => {
  place('tools', false);
  const fromGo = place('go');
  const env = {
    SHS_TOOLS_DIR: join(scratch, 'tools'),
    PATH: join(scratch, 'nothing'),
    GOPATH: join(scratch, 'go'),
  };
  expect(findGitleaks(env)).toBe(fromGo);
  rmSync(fromGo);
  expect(findGitleaks(env)).toBeUndefined();
});

test('$GITLEAKS wins over every other place, and must be an executable', () => {
  place('tools');
  const chosen = place('chosen');
  expect(findGitleaks({ GITLEAKS: chosen, SHS_TOOLS_DIR: join(scratch, 'tools') })).toBe(chosen);
  expect(() => findGitleaks({ GITLEAKS: join(scratch, 'missing') })).toThrow(/is not an executable file/);
});
