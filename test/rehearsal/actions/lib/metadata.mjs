// docker/metadata-action v6.2.0 (src/meta.ts, src/tag.ts), for the rules this repository writes:
//   type=sha[,format=long]           sha-<7 or 40 hex>, every event
//   type=semver,pattern=...          on a v* tag only: {{version}}, {{major}}, {{minor}}, {{patch}}
//   type=ref,event=branch            the branch name on a branch push (sanitised, as the action does)
// flavor latest=auto (the default) adds `latest` when a semver tag was made for a non-prerelease.
// Image names are lowercased (meta.ts getImageNames). Any other rule stops the stand-in: it is not guessed.
import { appendFileSync } from 'node:fs';

const lines = (text) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
const images = process.env.INPUT_IMAGES.split('\n')
  .map((line) => line.trim())
  .filter(Boolean)
  .map((image) => image.toLowerCase());
const ref = process.env.GITHUB_REF ?? '';
// A v* tag as a semantic version: MAJOR.MINOR.PATCH, optionally -PRERELEASE (no build metadata here).
function semver(gitRef) {
  if (!gitRef.startsWith('refs/tags/')) return undefined;
  const name = gitRef.slice('refs/tags/'.length).replace(/^v/, '');
  const dash = name.indexOf('-');
  const core = dash === -1 ? name : name.slice(0, dash);
  const pre = dash === -1 ? undefined : name.slice(dash);
  const parts = core.split('.');
  if (parts.length !== 3 || !parts.every((part) => /^\d+$/.test(part))) return undefined;
  if (pre !== undefined && !/^-[0-9A-Za-z.-]+$/.test(pre)) return undefined;
  const [major, minor, patch] = parts;
  return { major, minor, patch, pre };
}
const sha = process.env.GITHUB_SHA ?? '';
const tags = [];
let version = '';
let semverMade = false;
for (const rule of process.env.INPUT_TAGS.split('\n')
  .map((line) => line.trim())
  .filter(Boolean)) {
  const attrs = Object.fromEntries(lines(rule).map((part) => part.split('=').map((s) => s.trim())));
  if (attrs.type === 'sha') {
    tags.push(`sha-${attrs.format === 'long' ? sha : sha.slice(0, 7)}`);
  } else if (attrs.type === 'semver') {
    const match = semver(ref);
    if (!match) continue;
    const { major, minor, patch, pre } = match;
    const full = `${major}.${minor}.${patch}${pre ?? ''}`;
    const made = attrs.pattern
      .replace('{{version}}', full)
      .replace('{{major}}', major)
      .replace('{{minor}}', minor)
      .replace('{{patch}}', patch);
    // A prerelease gets only {{version}} (src/meta.ts procSemver).
    if (pre && attrs.pattern !== '{{version}}') continue;
    tags.push(made);
    if (!version) version = made;
    if (!pre) semverMade = true;
  } else if (attrs.type === 'ref' && attrs.event === 'branch') {
    if (!ref.startsWith('refs/heads/')) continue;
    const branch = ref.slice('refs/heads/'.length).replace(/[^a-zA-Z0-9._-]+/g, '-');
    tags.push(branch);
    if (!version) version = branch;
  } else {
    console.log(`::error::metadata-action stand-in: rule not supported: ${rule}`);
    process.exit(1);
  }
}
if (semverMade) tags.push('latest');
const unique = [...new Set(tags)];
const full = images.flatMap((image) => unique.map((tag) => `${image}:${tag}`));
appendFileSync(
  process.env.GITHUB_OUTPUT,
  `tags<<EOF_TAGS\n${full.join('\n')}\nEOF_TAGS\nversion=${version}\n`,
);
console.log(`rehearsal stand-in: metadata-action tags:\n${full.join('\n')}`);
