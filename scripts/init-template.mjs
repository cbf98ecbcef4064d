// Turns a fresh copy of the template into your service:
//   npm run init-template -- --name <service> --description "<text>" [--repo owner/name] [--owner @user]
//                            [--registry ghcr|dockerhub]
// It makes the copy yours everywhere the template names itself: the package (name, description,
// repository URL), src/service.json (the name the logs carry, the default DESCRIPTION), the image title,
// the OpenAPI title, the README (title, badge, defaults), the docs' OWNER/REPO placeholders, LICENSE and
// CODEOWNERS. It is idempotent: it reads the current values from package.json and src/service.json, so
// a second run with the same arguments changes nothing. test/template/init-template.test.ts greps the
// adopted copy for anything of the template's identity left. Exit codes: 0 done, 2 bad arguments
// (nothing written).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import validateNpmName from 'validate-npm-package-name';

const USAGE = `usage: npm run init-template -- --name <service> --description "<text>" [--repo owner/name] [--registry ghcr|dockerhub] [--owner @user|@org/team]

  --name         the npm package and image name: lowercase letters, digits, and . _ - between them
  --description  what the service is: 1 to 200 printable characters (the default DESCRIPTION it reports)
  --repo         the GitHub repository, owner/name (default: the current owner, and --name)
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
// GitHub's rules: an owner of letters, digits and single hyphens; a repository of letters, digits, . _ -
const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
// The placeholder the docs use for "your repository" in commands to copy.
const REPO_PLACEHOLDER = 'OWNER/REPO';

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
      repo: { type: 'string' },
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

const { name, description, registry, owner, repo: repoArgument } = values;
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
if (repoArgument !== undefined && (!REPO.test(repoArgument) || /^\.|\.git$/.test(repoArgument.split('/')[1])))
  problems.push('--repo must look like owner/name (a GitHub repository)');
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
    if (!changed.includes(path)) changed.push(path);
  }
}
const replaceAll = (text, from, to) => (from === to ? text : text.split(from).join(to));
const NAME_CHARACTER = /[A-Za-z0-9_-]/;
/** The name as a whole word of a name or path: `orders` in "orders.svc" or "orders:", not in "orders-api". */
function replaceName(text, from, to) {
  if (from === to) return text;
  let result = '';
  let start = 0;
  for (let at = text.indexOf(from); at !== -1; at = text.indexOf(from, at + from.length)) {
    const before = text[at - 1] ?? '';
    const after = text[at + from.length] ?? '';
    if (NAME_CHARACTER.test(before) || NAME_CHARACTER.test(after)) continue;
    result += text.slice(start, at) + to;
    start = at + from.length;
  }
  return result + text.slice(start);
}

const pkg = JSON.parse(read('package.json'));
const serviceFile = 'src/service.json';
const service = JSON.parse(read(serviceFile));
const oldName = pkg.name;
const oldDescription = service.description;
// owner/name from the repository URL the template (or an earlier run) wrote.
const oldRepo = /github\.com\/([^/]+\/[^/]+?)(?:\.git)?$/.exec(pkg.repository?.url ?? '')?.[1];
const repo = repoArgument ?? `${oldRepo?.split('/')[0] ?? 'OWNER'}/${name}`;

rewrite('package.json', (text) => {
  const data = JSON.parse(text);
  data.name = name;
  data.description = description;
  data.repository = { ...data.repository, type: 'git', url: `https://github.com/${repo}.git` };
  return `${JSON.stringify(data, null, 2)}\n`;
});
rewrite('package-lock.json', (text) => {
  const data = JSON.parse(text);
  data.name = name;
  if (data.packages?.['']) data.packages[''].name = name;
  return `${JSON.stringify(data, null, 2)}\n`;
});
// The name the logs carry (service) and the default DESCRIPTION: the service and the tests read them here.
rewrite(serviceFile, (text) => `${JSON.stringify({ ...JSON.parse(text), name, description }, null, 2)}\n`);
rewrite('docs/openapi.yaml', (text) => text.replace(/^( {2}title: ).*$/m, (_line, key) => `${key}${name}`));
rewrite('README.md', (text) => text.replace(/^# .*$/m, () => `# ${name}`));
if (owner !== undefined)
  rewrite('.github/CODEOWNERS', (text) => text.replace(/@[A-Za-z0-9][A-Za-z0-9/._-]*/g, owner));

// Everywhere else the template names itself: its repository (the README badge, the docs' commands),
// its name (image title, LICENSE), its default description (the README's table), as plain text. JSON
// files were rewritten above, structurally; the lockfile and code are left to those rewrites.
const TEXT_FILE = /\.(md|ya?ml|sh|mjs|ts|json|tsv)$|^(Dockerfile|LICENSE|\.github\/CODEOWNERS)$/;
const STRUCTURED = new Set(['package.json', 'package-lock.json', serviceFile]);
const tracked = spawnSync('git', ['ls-files', '-z'], { cwd: file('.').pathname, encoding: 'utf8' });
const files = (tracked.status === 0 ? tracked.stdout.split('\0') : []).filter(
  (path) =>
    path !== '' &&
    TEXT_FILE.test(path) &&
    !STRUCTURED.has(path) &&
    path !== 'scripts/init-template.mjs' &&
    !path.startsWith('test/template/'),
);
for (const path of files) {
  rewrite(path, (text) => {
    let result = replaceAll(text, REPO_PLACEHOLDER, repo);
    // Image references are lowercase (ghcr.io lower-cases the repository).
    result = replaceAll(
      result,
      `ghcr.io/${REPO_PLACEHOLDER.toLowerCase()}@`,
      `ghcr.io/${repo.toLowerCase()}@`,
    );
    if (oldRepo !== undefined) result = replaceAll(result, oldRepo, repo);
    result = replaceName(result, oldName, name);
    // A description is prose: only the docs quote it.
    if (path.endsWith('.md')) result = replaceAll(result, oldDescription, description);
    return result;
  });
}

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
