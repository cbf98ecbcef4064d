/**
 * The files of the publish path that are not workflows, checked for the publish contracts as the policy
 * files are: the push script keeps the scanned digest (deploy/oci-image.sh copies with skopeo
 * --preserve-digests), and every dependency install script that a write-holding job skips
 * (--ignore-scripts) was reviewed (named in package.json `allowScripts`).
 */
import { readIfExists } from './policy-files.ts';
import type { Finding } from './rule.ts';
import { record } from './rule.ts';
import { skopeoCopiesWithoutPreserve } from './helpers/publish-contracts.ts';

/** The scripts the publish job runs that push the image. */
export const PUSH_SCRIPTS: readonly string[] = ['deploy/oci-image.sh'];

export const PUBLISH_FILE_RULES: Readonly<Record<string, string>> = {
  'digest-kept':
    'Every `skopeo copy` to a registry in the push scripts (deploy/oci-image.sh) says --preserve-digests, so the registry serves the scanned manifest.',
  'install-scripts-reviewed':
    'Every package in package-lock.json with an install script is named in package.json `allowScripts`, so --ignore-scripts in a write-holding job drops nothing unreviewed.',
};

export function checkPushScript(path: string, source: string): Finding[] {
  return skopeoCopiesWithoutPreserve(source)
    ? [{ rule: 'digest-kept', file: path, message: 'skopeo copy to a registry must say --preserve-digests' }]
    : [];
}

/**
 * Every lockfile package with an install script (`hasInstallScript`, as npm records it) is named in
 * package.json `allowScripts`: a reviewed decision, so installing without scripts where a token can
 * write skips only scripts someone has looked at.
 */
export function checkInstallScripts(lockfilePath: string, lockfile: string, packageJson: string): Finding[] {
  const reviewed = record(record(JSON.parse(packageJson)).allowScripts);
  const packages = record(record(JSON.parse(lockfile)).packages);
  return Object.entries(packages)
    .filter(([, entry]) => record(entry).hasInstallScript === true)
    .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .filter((name) => !(name in reviewed))
    .map((name) => ({
      rule: 'install-scripts-reviewed',
      file: lockfilePath,
      message: `${name} has an install script that package.json allowScripts does not name`,
    }));
}

/** The publish-path files of the repository at `root`; a file the repository lacks is not checked. */
export function checkPublishFiles(root: string): Finding[] {
  const read = (path: string) => readIfExists(root, path);
  const findings = PUSH_SCRIPTS.flatMap((path) => {
    const source = read(path);
    return source === undefined ? [] : checkPushScript(path, source);
  });
  const lockfile = read('package-lock.json');
  const packageJson = read('package.json');
  if (lockfile !== undefined && packageJson !== undefined) {
    findings.push(...checkInstallScripts('package-lock.json', lockfile, packageJson));
  }
  return findings;
}
