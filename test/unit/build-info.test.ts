import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBuildInfo } from '../../src/build-info.ts';

describe('readBuildInfo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'build-info-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function written(content: string): string {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    return file;
  }

  it('reads the version and commit the build recorded', () => {
    expect(readBuildInfo(written('{"version":"1.2.3","commit":"abcdef1234"}'))).toEqual({
      version: '1.2.3',
      commit: 'abcdef1234',
    });
  });

  it('falls back when the file is missing or not JSON', () => {
    const fallback = { version: '0.0.0-dev', commit: 'unknown' };
    expect(readBuildInfo(join(dir, 'missing.json'))).toEqual(fallback);
    expect(readBuildInfo(written('not json'))).toEqual(fallback);
    expect(readBuildInfo(written('null'))).toEqual(fallback);
  });

  it('does not trust malformed values', () => {
    expect(readBuildInfo(written('{"version":"1.0\\n<script>","commit":"nothex!"}'))).toEqual({
      version: '0.0.0-dev',
      commit: 'unknown',
    });
  });
});
