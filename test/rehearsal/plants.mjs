// Defects the rehearsal found, each put back into the rehearsal's copy by
// `npm run rehearse -- --plant NAME`: the rehearsal must then fail (docs/rehearsal.md). Each is an exact
// text replacement that must match once, so a plant that no longer applies fails loudly instead of
// planting nothing. The defects shown by jest rather than by a run (the self-test's paths,
// deploy/oci-image.sh's messages) are planted by their own tests: test/pipeline/self-test-paths.test.ts,
// test/deploy/oci-image.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function replaceOnce(repo, file, from, to) {
  const path = join(repo, file);
  const text = readFileSync(path, 'utf8');
  const count = text.split(from).length - 1;
  if (count !== 1)
    throw new Error(`plant for ${file} matches ${count} times: ${JSON.stringify(from.slice(0, 80))}`);
  writeFileSync(path, text.replace(from, to));
}

const LOGIN = (workflow) => ({
  file: `.github/workflows/${workflow}.yml`,
  from: /\n {6}# cosign reads the signature[\s\S]*?password: \$\{\{ github\.token \}\}\n/,
});

export const PLANTS = [
  {
    name: 'sbom-path',
    description: 'the release step reads the SBOM at runner.temp/sbom.cdx.json, where no file is',
    expect: 'push of v1.2.3: publish fails at "Sign the release assets"; no release assets, no release',
    apply: (repo) =>
      replaceOnce(
        repo,
        '.github/workflows/pipeline.yml',
        '          SBOM: ${{ runner.temp }}/sbom/sbom.cdx.json\n          PROVENANCE:',
        '          SBOM: ${{ runner.temp }}/sbom.cdx.json\n          PROVENANCE:',
      ),
  },
  {
    name: 'deploy-no-login',
    description: 'the deploy workflows verify from the registry without logging in to it',
    expect: 'both deploys: cosign verify gets 401 from the (private) registry and the deploy refuses',
    apply: (repo) => {
      for (const workflow of ['deploy-cloudrun', 'deploy-beanstalk']) {
        const { file, from } = LOGIN(workflow);
        const path = join(repo, file);
        const text = readFileSync(path, 'utf8');
        if (!from.test(text)) throw new Error(`plant deploy-no-login: no login step in ${file}`);
        writeFileSync(path, text.replace(from, '\n'));
      }
    },
  },
  {
    name: 'required-checks',
    description:
      'docs/pipeline.md leaves "Secret scan of every added commit" out of the required status checks',
    expect: 'the docs check: the secrets-history job ran but is not a required check',
    apply: (repo) =>
      replaceOnce(repo, 'docs/pipeline.md', ', `Gates / Secret scan of every added commit`', ''),
  },
  {
    name: 'checkov-version',
    description: 'a Checkov contract row cites 3.3.8 while 3.3.13 runs',
    expect: 'the docs check: the contract rows cite another Checkov than the one that ran',
    apply: (repo) =>
      replaceOnce(
        repo,
        'docs/pipeline.md',
        '| Checkov 3.3.13 (security/tools.json) container',
        '| Checkov 3.3.8 container',
      ),
  },
  {
    name: 'trivy-cache-key',
    description: "the Trivy job's two trivy-action calls both save the DB cache under one key",
    expect: 'the stand-in records the second save of cache-trivy-<date> in one job',
    apply: (repo) =>
      replaceOnce(
        repo,
        '.github/workflows/security-gates.yml',
        "          cache: 'false'",
        "          cache: 'true'",
      ),
  },
];
