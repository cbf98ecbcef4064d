// Compiles src/ to dist/ and records the package version and the commit the build was made from, so
// `npm start` reports true values when APP_VERSION and LAST_COMMIT_SHA are not set.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
const require = createRequire(import.meta.url);

function commit() {
  if (process.env.LAST_COMMIT_SHA) return process.env.LAST_COMMIT_SHA;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

rmSync(new URL('dist', root), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
mkdirSync(new URL('dist', root), { recursive: true });
writeFileSync(new URL('dist/build-info.json', root), `${JSON.stringify({ version, commit: commit() })}\n`);
