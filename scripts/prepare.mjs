// Installs the git hooks on a developer's `npm install` / `npm ci`, and never breaks an install:
// - HUSKY=0: the developer (or a tool) asked for no hooks;
// - CI: hooks guard a person's commits; CI re-runs every gate itself, on the whole tree;
// - no .git (a tarball, an image build context): there is nowhere to install hooks;
// - husky absent (`npm ci --omit=dev` without --ignore-scripts): husky is a devDependency.
// Each case says why on one line, so a developer who expected hooks learns why there are none.
import { existsSync } from 'node:fs';

const skipReason =
  process.env.HUSKY === '0'
    ? 'HUSKY=0'
    : process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false'
      ? 'running in CI'
      : existsSync('.git')
        ? undefined
        : 'no .git here';

if (skipReason !== undefined) {
  console.log(`git hooks not installed: ${skipReason}`);
  process.exit(0);
}

let husky;
try {
  ({ default: husky } = await import('husky'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  console.log('git hooks not installed: husky is absent (a production install without devDependencies)');
  process.exit(0);
}

// husky reports its own failures (no git binary, a refused `git config`) as a message, never a throw.
const problem = husky();
if (problem) console.warn(`git hooks not installed: ${problem}`);
