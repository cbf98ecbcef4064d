// Stops a script at once, with one line, when it is about to run on a Node other than the project's line.
// The line is pinned in one place, package.json's devDependencies.node: the `node` package installs that
// exact Node into node_modules/.bin, which npm puts first on PATH for every script, `npx` and the git hooks.
// Two ways to miss it, both silent without this guard (the tests would fail by the dozen instead):
// - an install with --ignore-scripts skips the `node` package's preinstall, which makes .bin/node;
// - a command run outside npm (`node dist/main.js`) gets whatever Node comes first on the machine's PATH.
// Runs on the machine's own Node too, so it uses nothing newer than what Node 12 understands.
import { existsSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const pinned = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).devDependencies.node;
const line = pinned.split('.')[0];
const running = process.versions.node;

if (running.split('.')[0] !== line) {
  const here = `this is Node ${running} (${process.execPath})`;
  const fix = existsSync(new URL('node_modules/.bin/node', root))
    ? 'run it through npm (npm start, npm test, npm run <script>), which puts node_modules/.bin/node first on PATH'
    : 'node_modules/.bin/node is missing (an install with --ignore-scripts skips it): run `npm rebuild node` to fetch it';
  console.error(
    `This project runs on Node ${line} (package.json pins node ${pinned}); ${here}: ${fix}, or put Node ${line} first on PATH.`,
  );
  process.exit(1);
}
