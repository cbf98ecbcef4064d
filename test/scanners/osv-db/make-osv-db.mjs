// Builds the offline OSV database osv-scanner reads with `--offline-vulnerabilities --local-db-path DIR`
// from the planted records beside this file. The layout is the one osv-scanner v2.6.0 reads: its local
// matcher (osv-scalibr enricher/vulnmatch/osvlocal, matcher.go setupLocalDBDirectory and zip.go
// newZippedDB) opens DIR/osv-scalibr/<ecosystem>/all.zip and loads every *.json entry in it, the shape of
// OSV's own export (https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip).
// Usage: node test/scanners/osv-db/make-osv-db.mjs DIR (prints DIR); the scanner test and the rehearsal import it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RECORDS = fileURLToPath(new URL('.', import.meta.url));

/** The planted records' ids (their file names), for the checks that expect them. */
export const PLANTED_IDS = readdirSync(RECORDS)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.replace(/\.json$/, ''));

/** Writes DIR/osv-scalibr/npm/all.zip from the planted records; returns DIR. Needs `zip` (Debian zip). */
export function buildOsvDb(directory) {
  const npm = join(directory, 'osv-scalibr', 'npm');
  mkdirSync(npm, { recursive: true });
  const zipped = spawnSync(
    'zip',
    ['-q', '-j', join(npm, 'all.zip'), ...PLANTED_IDS.map((id) => join(RECORDS, `${id}.json`))],
    { encoding: 'utf8' },
  );
  if (zipped.status !== 0) throw new Error(`zip: ${zipped.error?.message ?? zipped.stderr}`);
  return directory;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: build.mjs DIR');
    process.exit(2);
  }
  console.log(buildOsvDb(resolve(target)));
}
