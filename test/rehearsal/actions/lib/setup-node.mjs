// See ../setup-node/action.yml.
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const workspace = process.env.GITHUB_WORKSPACE;
const file = process.env.VERSION_FILE;
let range = '';
if (file) {
  // getNodeVersionFromFile: devEngines.runtime, then volta.node, then engines.node (setup-node src/util.ts).
  const manifest = JSON.parse(readFileSync(resolve(workspace, file), 'utf8'));
  range = manifest.devEngines?.runtime?.version ?? manifest.volta?.node ?? manifest.engines?.node ?? '';
  if (!range) {
    console.log(`::error::setup-node: no Node version in ${file}`);
    process.exit(1);
  }
}
const node = process.env.REHEARSAL_PINNED_NODE;
const version = process.versions.node;
// The ranges this project writes: ">=A <B" (majors) or a plain major; anything else is refused, not guessed.
const bounds = range.split(/\s+/).filter(Boolean);
const lower = bounds.length === 1 ? bounds[0] : bounds[0]?.replace(/^>=/, '');
const upper = bounds.length === 2 && bounds[1].startsWith('<') ? bounds[1].slice(1) : undefined;
const known =
  /^\d+$/.test(lower ?? '') &&
  (bounds.length === 1 || (/^\d+$/.test(upper ?? '') && bounds[0].startsWith('>=')));
const major = Number(version.split('.')[0]);
const fits = bounds.length === 1 ? major === Number(lower) : major >= Number(lower) && major < Number(upper);
if (range && (!known || !fits)) {
  console.log(
    `::error::setup-node stand-in: the pinned Node ${version} does not satisfy ${range} from ${file}`,
  );
  process.exit(1);
}
appendFileSync(process.env.GITHUB_PATH, `${dirname(node)}\n`);
console.log(
  `rehearsal stand-in: setup-node put the pinned Node ${version} (${node}) on PATH for ${range || 'no range'}` +
    (process.env.CACHE ? `; cache: ${process.env.CACHE} is npm's own cache here` : ''),
);
