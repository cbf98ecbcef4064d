import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  checkInstallScripts,
  checkPublishFiles,
  checkPushScript,
  PUBLISH_FILE_RULES,
  checkWorkflow,
  loadReviewedActions,
  readWorkflows,
  WORKFLOW_RULE_GROUPS,
  type Finding,
  type WorkflowFile,
} from '../../security/workflow-policy.ts';
import { edited, GATES, mutated, PIPELINE, ROOT, rules } from './helpers.ts';

// The publish contracts are a rule group of the workflow policy (security/workflow-policy/rules/
// publish-contracts.ts), and the push script and lockfile are checked as publish files
// (security/workflow-policy/publish-files.ts); both run in checkRepository.
const PUBLISH_RULES = new Set(WORKFLOW_RULE_GROUPS['publish contracts']?.map((rule) => rule.id));
const OCI_SCRIPT = 'deploy/oci-image.sh';
const scriptFile = (path: string) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') });
const workflows = readWorkflows(ROOT);
const scripts = [scriptFile(OCI_SCRIPT)];
const actions = loadReviewedActions(ROOT);

/** The publish-contract findings of the workflows and the push scripts. */
function checkPublishContracts(files: WorkflowFile[], pushScripts: typeof scripts): Finding[] {
  return [
    ...files
      .flatMap((file) => checkWorkflow(ROOT, file, { actions }))
      .filter((finding) => PUBLISH_RULES.has(finding.rule)),
    ...pushScripts.flatMap((script) => checkPushScript(script.path, script.text)),
  ];
}

/** The repository's workflows with one replaced by a planted copy. */
const withPlanted = (planted: WorkflowFile): WorkflowFile[] =>
  workflows.map((file) => (file.path === planted.path ? planted : file));
const BUILD_STEP = ['jobs', 'build', 'steps'];
/**
 * Where the build job's build-push-action step that builds sits (not the one with `call: check`), so a
 * plant edits that step and no other.
 */
const buildIndex = (): number => {
  const gates = parse(readFileSync(join(ROOT, GATES), 'utf8')) as {
    jobs: { build: { steps: { uses?: string; with?: { call?: string } }[] } };
  };
  const index = gates.jobs.build.steps.findIndex(
    (step) => step.uses?.startsWith('docker/build-push-action@') && step.with?.call !== 'check',
  );
  if (index < 0) throw new Error('no build-push-action step in the build job');
  return index;
};

describe('publish contracts', () => {
  it('hold for the repository as committed', () => {
    expect(checkPublishContracts(workflows, scripts)).toEqual([]);
  });

  const cases: [rule: string, planted: () => WorkflowFile][] = [
    [
      'oci-build',
      () =>
        mutated(GATES, (d) =>
          d.setIn([...BUILD_STEP, buildIndex(), 'with', 'outputs'], 'type=docker,dest=x.tar'),
        ),
    ],
    [
      'oci-build',
      () =>
        mutated(GATES, (d) =>
          d.setIn([...BUILD_STEP, buildIndex(), 'with', 'platforms'], 'linux/amd64,linux/arm64'),
        ),
    ],
    [
      'oci-build',
      () => mutated(GATES, (d) => d.setIn([...BUILD_STEP, buildIndex(), 'with', 'provenance'], true)),
    ],
    [
      'no-release-cache',
      () => mutated(GATES, (d) => d.setIn([...BUILD_STEP, buildIndex(), 'with', 'cache-from'], 'type=gha')),
    ],
    [
      'digest-kept',
      () =>
        edited(PIPELINE, (t) =>
          t.replace(
            'deploy/oci-image.sh push >>',
            'docker push "$TAG"\n          deploy/oci-image.sh push >>',
          ),
        ),
    ],
    [
      'digest-kept',
      () =>
        edited(PIPELINE, (t) =>
          t.replace(
            'deploy/oci-image.sh push >>',
            'skopeo copy oci-archive:"$ARCHIVE" docker://"$TAG"\n          deploy/oci-image.sh push >>',
          ),
        ),
    ],
    [
      'scan-by-digest',
      () =>
        edited(GATES, (t) =>
          t.replace('input: ${{ steps.image.outputs.input }}', 'image-ref: service:candidate'),
        ),
    ],
    [
      'no-install-scripts-with-write',
      () =>
        edited(GATES, (t) =>
          t.replace(
            'run: npm ci --no-audit --no-fund --ignore-scripts\n      - name: ESLint',
            'run: npm ci --no-audit --no-fund\n      - name: ESLint',
          ),
        ),
    ],
    [
      'sbom-read-only',
      () => mutated(PIPELINE, (d) => d.setIn(['jobs', 'sbom', 'permissions', 'packages'], 'write')),
    ],
    [
      'sbom-read-only',
      () =>
        edited(PIPELINE, (t) =>
          t.replace(
            'uses: actions/attest-build-provenance@',
            'uses: anchore/sbom-action@e22c389904149dbc22b58101806040fa8d37a610 # v0.24.0\n      - uses: actions/attest-build-provenance@',
          ),
        ),
    ],
    [
      'verify-identity',
      () =>
        edited(PIPELINE, (t) =>
          t.replace('pipeline\\\\.yml@refs/(heads/main|tags/v.*)', 'pipeline\\\\.yml@refs/.*'),
        ),
    ],
    [
      'checked-before-signed',
      () => edited(PIPELINE, (t) => t.replace('deploy/oci-image.sh push >>', 'cp "$ARCHIVE" /dev/null >>')),
    ],
    [
      'checked-before-signed',
      () =>
        edited(PIPELINE, (t) =>
          t.replace(
            '          SBOM_FILE: ${{ runner.temp }}/sbom/sbom.cdx.json\n        run: deploy/oci-image.sh sbom\n      # Never',
            '          SBOM_FILE: ${{ runner.temp }}/sbom/sbom.cdx.json\n        run: echo skipped\n      # Never',
          ),
        ),
    ],
    [
      'digest-summary',
      () =>
        edited(PIPELINE, (t) =>
          t.replace('PUBLISH_DIGEST: ${{ needs.publish.outputs.digest }}', 'PUBLISH_DIGEST: unknown'),
        ),
    ],
  ];

  it.each(cases)('%s bites on a planted violation', (rule, planted) => {
    const findings = checkPublishContracts(withPlanted(planted()), scripts);
    expect(rules(findings)).toEqual([rule]);
  });

  it('digest-kept bites on a script that copies without --preserve-digests', () => {
    const script = scriptFile(OCI_SCRIPT);
    const planted = { ...script, text: script.text.replace(' --preserve-digests', '') };
    expect(planted.text).not.toBe(script.text);
    expect(rules(checkPublishContracts(workflows, [planted]))).toEqual(['digest-kept']);
  });
});

describe('the publish contracts table of docs/pipeline.md', () => {
  it('names every publish-contract rule and publish-file check', () => {
    const table =
      readFileSync(join(ROOT, 'docs', 'pipeline.md'), 'utf8').split(
        '### Publish and deploy tool contracts',
      )[1] ?? '';
    expect(PUBLISH_RULES.size).toBeGreaterThan(5);
    for (const rule of [...PUBLISH_RULES, ...Object.keys(PUBLISH_FILE_RULES)]) {
      expect([rule, table.includes(`\`${rule}\``)]).toEqual([rule, true]);
    }
  });
});

describe('the publish files', () => {
  it('hold for the repository as committed, and checkRepository reports them', () => {
    expect(checkPublishFiles(ROOT)).toEqual([]);
  });
});

describe('install scripts', () => {
  const lockfile = scriptFile('package-lock.json');
  const packageJson = scriptFile('package.json');

  it('every package with an install script is named in allowScripts', () => {
    expect(checkInstallScripts(lockfile.path, lockfile.text, packageJson.text)).toEqual([]);
    // The lockfile does have such packages: the check is not vacuous.
    expect(lockfile.text).toContain('"hasInstallScript": true');
  });

  it('bites on a package whose install script nobody reviewed', () => {
    const lock = JSON.parse(lockfile.text) as { packages: Record<string, object> };
    lock.packages['node_modules/a/node_modules/@evil/postinstall'] = {
      version: '1.0.0',
      hasInstallScript: true,
    };
    const planted = { ...lockfile, text: JSON.stringify(lock) };
    expect(checkInstallScripts(planted.path, planted.text, packageJson.text)).toEqual([
      expect.objectContaining({
        rule: 'install-scripts-reviewed',
        message: expect.stringContaining('@evil/postinstall'),
      }),
    ]);
  });
});
