import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RECORD_LINE, makeSandbox, runScript, script, type Sandbox } from './support.ts';

const OCI_IMAGE = script('oci-image.sh');

// The registry and the daemon are stand-ins: `skopeo inspect --raw` serves the bytes of the file
// FAKE_REGISTRY_MANIFEST (what a registry answers for a tag), `docker image inspect` prints
// FAKE_DOCKER_IMAGE_ID. Both record their argument vectors like the deploy stand-ins.
const STAND_INS = {
  skopeo: `${RECORD_LINE}
case "$1" in
  copy) exit "\${FAKE_SKOPEO_COPY_EXIT:-0}" ;;
  inspect) cat "\${FAKE_REGISTRY_MANIFEST:?}" ;;
esac
`,
  docker: `${RECORD_LINE}
case "$1 $2" in
  'image inspect') printf '%s\\n' "\${FAKE_DOCKER_IMAGE_ID:-}" ;;
esac
`,
};

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

interface Archive {
  readonly file: string;
  readonly sha256: string;
  readonly digest: string;
  readonly configDigest: string;
  readonly manifest: string;
}

/**
 * An OCI image archive laid out as buildx's `type=oci` exporter writes it (moby/buildkit
 * exporter/oci/export.go hands the descriptor to containerd's images/archive exporter): entries
 * `oci-layout`, `index.json` naming one image manifest, and `blobs/sha256/<hex>`, no "./" prefix.
 */
function makeArchive(dir: string, name = 'image', manifests = 1): Archive {
  const root = path.join(dir, `${name}-layout`);
  const blobs = path.join(root, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (content: string): { digest: string; size: number } => {
    const hex = sha256(content);
    writeFileSync(path.join(blobs, hex), content);
    return { digest: `sha256:${hex}`, size: Buffer.byteLength(content) };
  };
  const layer = blob(`layer of ${name}`);
  const config = blob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  );
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  });
  const manifestBlob = blob(manifest);
  const entry = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    ...manifestBlob,
    annotations: { 'io.containerd.image.name': 'docker.io/library/service:candidate' },
  };
  writeFileSync(path.join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    path.join(root, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: Array<typeof entry>(manifests).fill(entry),
    }),
  );
  const file = path.join(dir, `${name}.tar`);
  execFileSync('tar', ['-cf', file, '-C', root, 'oci-layout', 'index.json', 'blobs']);
  return {
    file,
    sha256: sha256(readFileSync(file)),
    digest: manifestBlob.digest,
    configDigest: config.digest,
    manifest,
  };
}

let sandbox: Sandbox;
let archive: Archive;
beforeEach(() => {
  sandbox = makeSandbox(STAND_INS);
  archive = makeArchive(sandbox.dir);
});
afterEach(() => sandbox.cleanup());

const run = (args: string[], env: Record<string, string> = {}) =>
  runScript(OCI_IMAGE, args, { FAKE_RECORD: sandbox.record, ...env }, sandbox.bin);
const registryServes = (bytes: string): string => {
  const file = path.join(sandbox.dir, 'served-manifest.json');
  writeFileSync(file, bytes);
  return file;
};
const pushArgs = (overrides: Partial<Record<'archive' | 'sha' | 'digest' | 'tags', string>> = {}) => [
  'push',
  '--archive',
  overrides.archive ?? archive.file,
  '--archive-sha256',
  overrides.sha ?? archive.sha256,
  '--digest',
  overrides.digest ?? archive.digest,
  '--tags',
  overrides.tags ?? 'ghcr.io/acme/svc:sha-0123\nghcr.io/acme/svc:main\nacme/svc:main',
];

describe('oci-image.sh push', () => {
  test('registry digest equals the build digest: pushes every tag with digests preserved and passes', async () => {
    const result = await run(pushArgs(), { FAKE_REGISTRY_MANIFEST: registryServes(archive.manifest) });
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`digest=${archive.digest}\n`);
    const copies = sandbox.calls().filter((call) => call[1] === 'copy');
    expect(copies).toEqual(
      ['ghcr.io/acme/svc:sha-0123', 'ghcr.io/acme/svc:main', 'acme/svc:main'].map((tag) => [
        'skopeo',
        'copy',
        '--quiet',
        '--preserve-digests',
        `oci-archive:${archive.file}`,
        `docker://${tag}`,
      ]),
    );
    expect(sandbox.calls().filter((call) => call[1] === 'inspect')).toHaveLength(3);
  });

  test('registry digest differs from the build digest: fails, naming both, and pushes no further tag', async () => {
    const other = makeArchive(sandbox.dir, 'other');
    const result = await run(pushArgs(), { FAKE_REGISTRY_MANIFEST: registryServes(other.manifest) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `FAILED: ghcr.io/acme/svc:sha-0123 serves ${other.digest}, but the gates scanned ${archive.digest}`,
    );
    expect(result.stdout).toBe('');
    expect(sandbox.calls().filter((call) => call[1] === 'copy')).toHaveLength(1);
  });

  test('a failed copy fails the push', async () => {
    const result = await run(pushArgs(), {
      FAKE_REGISTRY_MANIFEST: registryServes(archive.manifest),
      FAKE_SKOPEO_COPY_EXIT: '1',
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
  });

  test.each<[string, Partial<Record<'sha' | 'digest' | 'tags', string>>, string]>([
    ['a digest without its algorithm', { digest: anyHex() }, 'malformed --digest'],
    ['an upper-case digest', { digest: `sha256:${'A'.repeat(64)}` }, 'malformed --digest'],
    ['a short digest', { digest: 'sha256:abc' }, 'malformed --digest'],
    ['a digest with a second line', { digest: `sha256:${'a'.repeat(64)}\ndigest=x` }, 'malformed --digest'],
    ['a malformed archive checksum', { sha: 'xyz' }, 'malformed --archive-sha256'],
    ['a tag by digest', { tags: `ghcr.io/acme/svc@sha256:${'a'.repeat(64)}` }, 'malformed --tags'],
    ['a tag with a shell word', { tags: 'ghcr.io/acme/svc:main;rm' }, 'malformed --tags'],
    ['no tags', { tags: '\n' }, 'missing --tags'],
  ])('refuses %s before contacting anything (exit 2)', async (_label, overrides, message) => {
    const result = await run(pushArgs(overrides), {
      FAKE_REGISTRY_MANIFEST: registryServes(archive.manifest),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(sandbox.recordExists()).toBe(false);
  });

  test('refuses an archive other than the one the build recorded', async () => {
    const result = await run(pushArgs({ sha: 'f'.repeat(64) }), {
      FAKE_REGISTRY_MANIFEST: registryServes(archive.manifest),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not match the SHA-256 the build recorded');
    expect(sandbox.recordExists()).toBe(false);
  });

  test('refuses a digest the archive does not hold', async () => {
    const other = makeArchive(sandbox.dir, 'other');
    const result = await run(pushArgs({ digest: other.digest }), {
      FAKE_REGISTRY_MANIFEST: registryServes(other.manifest),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the archive holds ${archive.digest}, but the build recorded ${other.digest}`,
    );
    expect(sandbox.recordExists()).toBe(false);
  });

  test('refuses an archive naming more than one manifest (the digest would be ambiguous)', async () => {
    const twice = makeArchive(sandbox.dir, 'twice', 2);
    const result = await run(pushArgs({ archive: twice.file, sha: twice.sha256, digest: twice.digest }), {
      FAKE_REGISTRY_MANIFEST: registryServes(twice.manifest),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('index.json must name exactly one');
    expect(sandbox.recordExists()).toBe(false);
  });
});

// Referenced inside test.each's table, which is built before beforeEach runs: any fixed hex will do.
function anyHex(): string {
  return 'a'.repeat(64);
}

describe('oci-image.sh digest', () => {
  test("prints the manifest digest index.json names, checked against the blob's hash", async () => {
    const result = await run(['digest', '--archive', archive.file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${archive.digest}\n`);
  });

  test('refuses a docker save archive (no index.json)', async () => {
    const dockerSave = path.join(sandbox.dir, 'docker-save.tar');
    writeFileSync(path.join(sandbox.dir, 'manifest.json'), '[]');
    execFileSync('tar', ['-cf', dockerSave, '-C', sandbox.dir, 'manifest.json']);
    const result = await run(['digest', '--archive', dockerSave]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not an OCI archive');
  });

  // tar exits 2 for a missing member; under pipefail that exit used to end the script silently.
  test('refuses, naming it, an archive whose index.json names a manifest blob it does not hold (exit 1)', async () => {
    const root = path.join(sandbox.dir, 'image-layout');
    const stripped = path.join(sandbox.dir, 'no-manifest.tar');
    rmSync(path.join(root, 'blobs', 'sha256', archive.digest.slice('sha256:'.length)));
    execFileSync('tar', ['-cf', stripped, '-C', root, 'oci-layout', 'index.json', 'blobs']);
    const result = await run(['digest', '--archive', stripped]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the manifest blob for ${archive.digest} is missing`);
  });

  // skopeo reads `oci-archive:PATH[:REFERENCE]` and cuts at the first ":" (containers/image
  // oci/archive/oci_transport.go, ParseReference), so such a path would name another file.
  test('refuses an archive path with ":" (skopeo would cut it there) (exit 2)', async () => {
    const colon = path.join(sandbox.dir, 'image:candidate.tar');
    copyFileSync(archive.file, colon);
    const result = await run(['digest', '--archive', colon]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('malformed --archive');
  });
});

describe('oci-image.sh unpack', () => {
  test("unpacks the layout and prints Trivy's input: <dir>@<digest>", async () => {
    const dir = path.join(sandbox.dir, 'layout');
    const result = await run([
      'unpack',
      `--archive=${archive.file}`,
      `--archive-sha256=${archive.sha256}`,
      `--digest=${archive.digest}`,
      `--dir=${dir}`,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${dir}@${archive.digest}\n`);
    expect(existsSync(path.join(dir, 'blobs', 'sha256', archive.digest.slice('sha256:'.length)))).toBe(true);
  });

  test('refuses a folder name Trivy would split at "@"', async () => {
    const result = await run([
      'unpack',
      `--archive=${archive.file}`,
      `--archive-sha256=${archive.sha256}`,
      `--digest=${archive.digest}`,
      `--dir=${path.join(sandbox.dir, 'a@b')}`,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('malformed --dir');
  });
});

describe('oci-image.sh load', () => {
  const loadArgs = () => [
    'load',
    `--archive=${archive.file}`,
    `--archive-sha256=${archive.sha256}`,
    `--digest=${archive.digest}`,
    '--image-ref=service:candidate',
  ];

  test("loads through skopeo and passes when the daemon holds the archive's config", async () => {
    const result = await run(loadArgs(), { FAKE_DOCKER_IMAGE_ID: archive.configDigest });
    expect(result.code).toBe(0);
    expect(sandbox.calls()[0]).toEqual([
      'skopeo',
      'copy',
      '--quiet',
      `oci-archive:${archive.file}`,
      'docker-daemon:service:candidate',
    ]);
  });

  test('fails when the daemon holds another image under that name', async () => {
    const result = await run(loadArgs(), { FAKE_DOCKER_IMAGE_ID: `sha256:${'e'.repeat(64)}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`not the archive's config ${archive.configDigest}`);
  });
});

describe('oci-image.sh sbom', () => {
  // Shaped as Trivy v0.70.0 writes CycloneDX for an image (aquasecurity/trivy
  // integration/testdata/fluentd-multiple-lockfiles-short.cdx.json.golden): the root component is the
  // container, with properties sorted by name, ImageID among them.
  const trivySbom = (imageId: string): string => {
    const file = path.join(sandbox.dir, 'sbom.cdx.json');
    writeFileSync(
      file,
      JSON.stringify({
        $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        metadata: {
          tools: {
            components: [{ type: 'application', group: 'aquasecurity', name: 'trivy', version: '0.70.0' }],
          },
          component: {
            'bom-ref': '95de56ee-980c-413d-8f68-6c674dc3e9d1',
            type: 'container',
            name: '/home/runner/work/_temp/image-layout@sha256:…',
            properties: [
              { name: 'aquasecurity:trivy:DiffID', value: `sha256:${'0'.repeat(64)}` },
              { name: 'aquasecurity:trivy:ImageID', value: imageId },
              { name: 'aquasecurity:trivy:SchemaVersion', value: '2' },
            ],
          },
        },
        components: [],
      }),
    );
    return file;
  };
  const sbomArgs = (file: string) => [
    'sbom',
    `--archive=${archive.file}`,
    `--archive-sha256=${archive.sha256}`,
    `--digest=${archive.digest}`,
    `--sbom=${file}`,
  ];

  test("passes when the SBOM's ImageID is the manifest's config digest", async () => {
    const result = await run(sbomArgs(trivySbom(archive.configDigest)));
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
  });

  test('fails when the SBOM describes another image', async () => {
    const other = makeArchive(sandbox.dir, 'other');
    const result = await run(sbomArgs(trivySbom(other.configDigest)));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`is not the manifest's config ${archive.configDigest}`);
    expect(result.stderr).not.toContain(other.configDigest);
  });

  test('fails on a file that is not a CycloneDX SBOM', async () => {
    const file = path.join(sandbox.dir, 'not-an-sbom.json');
    writeFileSync(file, '{"spdxVersion":"SPDX-2.3"}');
    const result = await run(sbomArgs(file));
    expect(result.code).toBe(1);
  });

  test('refuses a missing SBOM file (exit 2)', async () => {
    const result = await run(sbomArgs(path.join(sandbox.dir, 'absent.json')));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a readable file');
  });
});
