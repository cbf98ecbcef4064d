// `npm start` on a fresh clone: build when dist/ is missing or older than any source file.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return latest;
}

let built;
try {
  built = statSync(new URL('dist/main.js', root)).mtimeMs;
} catch {
  built = 0;
}
if (built === 0 || newest(new URL('src', root).pathname) > built) {
  execFileSync(process.execPath, [new URL('build.mjs', import.meta.url).pathname], { stdio: 'inherit' });
}
