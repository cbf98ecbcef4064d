// Stops a script at once, with one line, when it is about to run on a Node other than the project's line.
// The Node is pinned in package.json's optionalDependencies: the official binary for each platform npm
// publishes it for (node-<os>-<arch>), recorded with its integrity in the lockfile. npm installs the one
// for this machine and links it as node_modules/.bin/node, which npm puts first on PATH for every script,
// `npx` and (through husky) the git hooks. Three ways to miss it, each silent without this guard (the
// tests would fail by the dozen instead):
// - npm has no package of the pinned Node for this platform (macOS, at the time of writing);
// - an install with --omit=optional (the image's production install) or a failed download;
// - a command run outside npm (`node dist/main.js`) gets whatever Node comes first on the machine's PATH.
// Runs on the machine's own Node too, so it uses nothing newer than what Node 12 understands (and no
// top-level await: a module that fails to parse cannot print the line).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);

/** The one-line reason this Node may not run the project's code, or undefined on the pinned line. */
export function nodeLineProblem() {
  const binaries = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).optionalDependencies || {};
  // Every platform's binary is the same version (security/node-line.ts checks it).
  const pinned = Object.keys(binaries)
    .filter((name) => name.startsWith('node-'))
    .map((name) => binaries[name])[0];
  const line = pinned.split('.')[0];
  const running = process.versions.node;
  if (running.split('.')[0] === line) return undefined;
  const platform = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const fix = existsSync(new URL('node_modules/.bin/node', root))
    ? 'run it through npm (npm start, npm test, npm run <script>), which puts node_modules/.bin/node first on PATH'
    : binaries[`node-${platform}`] === undefined
      ? `npm publishes no Node ${pinned} for ${platform}: install Node ${line} (https://nodejs.org) and put it first on PATH`
      : `node_modules/.bin/node is missing: run \`npm ci\` (an install with --omit=optional leaves it out), or put Node ${line} first on PATH`;
  return `This project runs on Node ${line} (package.json pins ${pinned}); this is Node ${running} (${process.execPath}): ${fix}.`;
}

// Run as a script (npm's pre-scripts, the pre-push hook); the pre-commit hook imports the check instead,
// so that it costs no Node start of its own.
const runAsScript =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (runAsScript) {
  const problem = nodeLineProblem();
  if (problem !== undefined) {
    console.error(problem);
    process.exit(1);
  }
}
