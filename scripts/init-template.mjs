// Turns a fresh copy of the template into your service:
//   npm run init-template -- --name <service> --description "<text>" [--registry ghcr|dockerhub] [--owner @user]
// It rewrites the package name, the image name, the descriptions and the CODEOWNERS owner, and is
// idempotent: it reads the current values from package.json, so a second run with the same arguments
// changes nothing. Exit codes: 0 done, 2 bad arguments (nothing written).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import validateNpmName from 'validate-npm-package-name';

const USAGE = `usage: npm run init-template -- --name <service> --description "<text>" [--registry ghcr|dockerhub] [--owner @user|@org/team]

  --name         the npm package and image name: lowercase letters, digits, and . _ - between them
  --description  what the service is: 1 to 200 printable characters (the default DESCRIPTION it reports)
  --registry     ghcr (default): publish to GitHub Container Registry with the built-in token;
                 dockerhub: also publish to Docker Hub (prints the repository settings to make)
  --owner        the CODEOWNERS owner, e.g. @alice or @acme/platform (default: unchanged)`;

// An image repository name that is also a valid unscoped npm name: lowercase letters and digits, with
// single separators between them (a little stricter than the OCI distribution spec, which allows `__`).
const IMAGE_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const ENDS_ALPHANUMERIC = /[a-z0-9]$/;
const DOUBLE_SEPARATOR = /[._-]{2}/;
// Same rule as the service's DESCRIPTION (src/config.ts): no control or format characters.
const PRINTABLE = /^[^\p{C}]{1,200}$/u;
// A GitHub user (@alice) or team (@acme/platform).
const OWNER = /^@[A-Za-z0-9][A-Za-z0-9-]*$|^@[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;
const REGISTRIES = ['ghcr', 'dockerhub'];

function fail(message) {
  process.stderr.write(`init-template: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      name: { type: 'string' },
      description: { type: 'string' },
      registry: { type: 'string', default: 'ghcr' },
      owner: { type: 'string' },
      root: { type: 'string', default: '.' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (err) {
  fail(err.message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const { name, description, registry, owner } = values;
const problems = [];
if (name === undefined) problems.push('--name is required');
else {
  const npm = validateNpmName(name);
  if (!npm.validForNewPackages)
    problems.push(
      `--name ${JSON.stringify(name)} is not a valid npm package name: ${[...(npm.errors ?? []), ...(npm.warnings ?? [])].join('; ')}`,
    );
  else if (
    name.length > 128 ||
    !IMAGE_NAME.test(name) ||
    !ENDS_ALPHANUMERIC.test(name) ||
    DOUBLE_SEPARATOR.test(name)
  )
    problems.push(
      `--name ${JSON.stringify(name)} is not a valid image name (lowercase letters, digits, and . _ - between them)`,
    );
}
if (description === undefined) problems.push('--description is required');
else if (!PRINTABLE.test(description)) problems.push('--description must be 1 to 200 printable characters');
if (!REGISTRIES.includes(registry)) problems.push(`--registry must be one of ${REGISTRIES.join(', ')}`);
if (owner !== undefined && (owner.length > 140 || !OWNER.test(owner)))
  problems.push('--owner must look like @user or @org/team');
if (problems.length > 0) fail(problems.join('\n'));

const root = new URL(`${values.root.replace(/\/?$/, '/')}`, `file://${process.cwd()}/`);
const file = (path) => new URL(path, root);
const read = (path) => readFileSync(file(path), 'utf8');
const changed = [];
function rewrite(path, transform) {
  if (!existsSync(file(path))) return;
  const before = read(path);
  const after = transform(before);
  if (after !== before) {
    writeFileSync(file(path), after);
    changed.push(path);
  }
}
const replaceAll = (text, from, to) => (from === to ? text : text.split(from).join(to));

const pkg = JSON.parse(read('package.json'));
const oldName = pkg.name;

rewrite('package.json', (text) => {
  const data = JSON.parse(text);
  data.name = name;
  data.description = description;
  if (data.repository?.url) data.repository.url = replaceAll(data.repository.url, oldName, name);
  return `${JSON.stringify(data, null, 2)}\n`;
});
rewrite('package-lock.json', (text) => {
  const data = JSON.parse(text);
  data.name = name;
  if (data.packages?.['']) data.packages[''].name = name;
  return `${JSON.stringify(data, null, 2)}\n`;
});
rewrite('Dockerfile', (text) =>
  replaceAll(text, `org.opencontainers.image.title="${oldName}"`, `org.opencontainers.image.title="${name}"`),
);
rewrite('src/config.ts', (text) =>
  text.replace(
    /export const DEFAULT_DESCRIPTION = (['"]).*\1;/,
    () => `export const DEFAULT_DESCRIPTION = ${JSON.stringify(description)};`,
  ),
);
rewrite('README.md', (text) => text.replace(/^# .*$/m, () => `# ${name}`));
if (owner !== undefined)
  rewrite('.github/CODEOWNERS', (text) => text.replace(/@[A-Za-z0-9][A-Za-z0-9/._-]*/g, owner));

// The project's own formatting rules apply to what we wrote (e.g. the quotes of a TypeScript string).
for (const path of changed) {
  const filepath = file(path).pathname;
  // As the CLI: .gitignore, then .prettierignore.
  const info = await prettier.getFileInfo(filepath, {
    ignorePath: [file('.gitignore').pathname, file('.prettierignore').pathname],
  });
  if (info.ignored || info.inferredParser === null) continue;
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  writeFileSync(filepath, await prettier.format(read(path), { ...options, filepath }));
}

if (registry === 'dockerhub') {
  // Registry credentials live in GitHub's settings, never in files: say exactly what to set.
  const namespace = owner === undefined ? '<dockerhub-namespace>' : owner.slice(1).split('/')[0];
  console.log(
    [
      'init-template: to also publish to Docker Hub, set in the repository (or with the gh CLI):',
      `  gh variable set DOCKERHUB_IMAGE --body ${namespace}/${name}`,
      '  gh variable set DOCKERHUB_USERNAME --body <your Docker Hub user>',
      '  gh secret set DOCKERHUB_TOKEN   # a Docker Hub access token with write access to that repository',
    ].join('\n'),
  );
}
console.log(
  changed.length === 0 ? 'init-template: nothing to change' : `init-template: updated ${changed.join(', ')}`,
);
