// Defects the rehearsal found, each put back into the rehearsal's copy by
// `npm run rehearse -- --plant NAME`: the rehearsal must then fail (docs/rehearsal.md). Each is an exact
// text replacement that must match once, so a plant that no longer applies fails loudly instead of
// planting nothing. `npm run rehearse -- --prove-plants` (prove-plants.mjs) runs each with only the
// events where it bites (`only`) and checks it fails for its reason (`bites`: the checks that must fail,
// exactly the steps act reports failed, what the output must say). The defects shown by jest rather than
// by a run (the self-test's paths, deploy/oci-image.sh's messages) are planted by their own tests:
// test/pipeline/self-test-paths.test.ts, test/deploy/oci-image.test.ts.
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

const SBOM_PATH = (repo) =>
  replaceOnce(
    repo,
    '.github/workflows/pipeline.yml',
    '          SBOM: ${{ runner.temp }}/sbom/sbom.cdx.json\n          PROVENANCE:',
    '          SBOM: ${{ runner.temp }}/sbom.cdx.json\n          PROVENANCE:',
  );
const RELEASE_STEP = 'push-tag: publish: Sign the release assets (tags only)';
const DEPLOY_STEP = 'deploy: Verify the signature and the gate results, deploy by digest, smoke-test';

function removeOnce(repo, file, pattern, name) {
  const path = join(repo, file);
  const text = readFileSync(path, 'utf8');
  const first = pattern.exec(text);
  const again = first && pattern.exec(text.slice(first.index + first[0].length));
  if (!first || again) throw new Error(`plant ${name} must match once in ${file}: ${pattern}`);
  writeFileSync(path, text.replace(pattern, '\n'));
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
    only: 'tag',
    bites: {
      checks: [/^v1\.2\.3: job publish succeeded$/, /^v1\.2\.3: the release assets are/],
      steps: [RELEASE_STEP],
      output: [/cp: cannot stat '[^']*\/sbom\.cdx\.json'/],
    },
    apply: SBOM_PATH,
  },
  {
    name: 'half-published-silent',
    description:
      'publish fails after the push (the SBOM path above) and no step says what the registry holds or how to recover',
    expect: 'push of v1.2.3: the image is pushed, publish fails, and the run never says "published half-way"',
    only: 'tag',
    bites: {
      checks: [/^v1\.2\.3: publish failed after the push and its summary says what the registry holds/],
      steps: [RELEASE_STEP],
    },
    apply: (repo) => {
      SBOM_PATH(repo);
      removeOnce(
        repo,
        '.github/workflows/pipeline.yml',
        /\n {6}# If a step after the push failed[\s\S]*?see the run summary"\n/,
        'half-published-silent',
      );
    },
  },
  {
    name: 'deploy-no-login',
    description: 'the deploy workflows verify from the registry without logging in to it',
    expect: 'both deploys: cosign verify gets 401 from the (private) registry and the deploy refuses',
    only: 'main',
    bites: {
      checks: [/^deploy-cloudrun: the deploy job succeeds/, /^deploy-beanstalk: the deploy job succeeds/],
      steps: [`deploy-cloudrun: ${DEPLOY_STEP}`, `deploy-beanstalk: ${DEPLOY_STEP}`],
      output: [/401|UNAUTHORIZED/],
    },
    apply: (repo) => {
      for (const workflow of ['deploy-cloudrun', 'deploy-beanstalk']) {
        const { file, from } = LOGIN(workflow);
        removeOnce(repo, file, from, 'deploy-no-login');
      }
    },
  },
  {
    name: 'checkov-version',
    description: 'a Checkov contract row cites 3.3.8 while 3.3.13 runs',
    expect: 'the docs check: the contract rows cite another Checkov than the one that ran',
    only: 'main',
    bites: {
      checks: [/^docs\/pipeline\.md's contract rows cite the Checkov that ran/],
      steps: [],
      output: [/cited: .*3\.3\.8/],
    },
    apply: (repo) =>
      replaceOnce(
        repo,
        'docs/pipeline.md',
        '| Checkov 3.3.13 (checkov-action v12.3119.0) ',
        '| Checkov 3.3.8 (checkov-action v12.3119.0) ',
      ),
  },
  {
    name: 'trivy-cache-key',
    description: "the Trivy job's two trivy-action calls both save the DB cache under one key",
    expect: 'the stand-in records the second save of cache-trivy-<date> in one job',
    only: 'main',
    bites: {
      checks: [/^push-main: the stand-ins saw nothing the real service would refuse/],
      steps: [],
      output: [/REHEARSAL-FINDING duplicate-cache-key trivy cache-trivy-\d{4}-\d{2}-\d{2}/],
    },
    apply: (repo) =>
      replaceOnce(
        repo,
        '.github/workflows/security-gates.yml',
        "          cache: 'false'",
        "          cache: 'true'",
      ),
  },
];
