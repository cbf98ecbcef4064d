/**
 * The real Trivy (security/tools.json's pin, as scripts/ci/install-tools.sh installs it) reads the VEX
 * document security/trivy/vex.ts writes, as a consumer of the published image does: an image holding
 * lodash 4.17.15, pushed to a local registry (Debian's docker-registry), scanned by digest from that
 * registry offline against the planted-advisory database (test/scanners/trivy-db). Without VEX the
 * planted advisory is reported; with the generated document it is suppressed as `not_affected`, and only
 * for the digest the document names. Trivy gives an image a purl only when it reads it from a registry
 * (an archive has no repository digest: pkg/fanal/image/archive.go), so an archive scan would prove
 * nothing here.
 *
 * Off CI a missing tool skips the test and says which; with SHS_REQUIRE_TOOLS=1 (.ci/run) it fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../security/gates/engine.ts';
import { toolsDir } from '../../security/gates/tools.ts';
import { openVexDocument } from '../../security/trivy/vex.ts';
import { ROOT } from './gate-sandbox.ts';

jest.setTimeout(600_000);

const TRIVY = join(toolsDir(), 'bin', 'trivy');
const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const missing = [
  ...(existsSync(TRIVY) ? [] : [`trivy (${TRIVY}: scripts/ci/install-tools.sh trivy)`]),
  ...['go', 'podman', 'docker-registry'].filter((command) => !onPath(command)),
];
const required = process.env.SHS_REQUIRE_TOOLS === '1';
if (missing.length > 0 && !required) {
  console.warn(
    `vex-trivy: NOT run, missing ${missing.join(', ')} (SHS_REQUIRE_TOOLS=1 makes this a failure)`,
  );
}
const run = missing.length > 0 && !required ? it.skip : it;

const IMAGE = `localhost/vex-trivy:${randomBytes(4).toString('hex')}`;
const ACCEPTED = '# reason[vulnerable_code_not_in_execute_path]: planted\nCVE-2020-8203 exp:2999-01-01\n';

let work: string;
let registry: ChildProcess | undefined;

const sh = (command: string, args: string[], options: { cwd?: string } = {}) => {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 300_000, ...options });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')}: exit ${result.status}\n${result.stderr}${result.error ?? ''}`,
    );
  return result.stdout;
};

afterAll(() => {
  registry?.kill();
  if (missing.length === 0) spawnSync('podman', ['rmi', '-f', IMAGE]);
  if (work) rmSync(work, { recursive: true, force: true });
});

run(
  'the generated VEX suppresses the planted advisory in the pushed image, and only for its digest',
  async () => {
    expect(missing).toEqual([]);
    work = mkdtempSync(join(tmpdir(), 'vex-trivy-'));
    const cache = join(work, 'cache');
    sh('go', ['run', '.', '-advisories', '../advisories', '-output', join(cache, 'db')], {
      cwd: join(ROOT, 'test/scanners/trivy-db'),
    });

    // The vulnerable package as Trivy's node-pkg analyzer finds it in an image (its package.json).
    const lodash = join(work, 'root/app/node_modules/lodash');
    mkdirSync(lodash, { recursive: true });
    writeFileSync(join(lodash, 'package.json'), '{"name":"lodash","version":"4.17.15","license":"MIT"}\n');
    sh('tar', ['-C', join(work, 'root'), '-cf', join(work, 'root.tar'), 'app']);
    sh('podman', ['import', join(work, 'root.tar'), IMAGE]);

    const port = await freePort();
    writeFileSync(
      join(work, 'registry.yml'),
      `version: 0.1\nlog: { level: warn }\nstorage: { filesystem: { rootdirectory: ${join(work, 'registry')} } }\nhttp: { addr: "127.0.0.1:${port}" }\n`,
    );
    registry = spawn('docker-registry', ['serve', join(work, 'registry.yml')], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const status = await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const repository = `127.0.0.1:${port}/acme/healthcheck`;
    const digestFile = join(work, 'digest');
    sh('podman', [
      'push',
      '--tls-verify=false',
      '--digestfile',
      digestFile,
      IMAGE,
      `docker://${repository}:1`,
    ]);
    const digest = readFileSync(digestFile, 'utf8').trim();

    const vex = (forDigest: string) => {
      const file = join(work, `vex-${forDigest.slice(-8)}.json`);
      const { document } = openVexDocument(ACCEPTED, {
        image: repository,
        digest: forDigest,
        author: 'vex-trivy test',
        id: `https://example.invalid/vex/${forDigest}`,
        now: new Date(),
      });
      writeFileSync(file, JSON.stringify(document));
      return file;
    };
    const scan = (...extra: string[]) => {
      const report = JSON.parse(
        sh(TRIVY, [
          'image',
          ...['--cache-dir', cache, '--skip-db-update', '--skip-java-db-update', '--skip-check-update'],
          ...['--image-src', 'remote', '--insecure', '--scanners', 'vuln', '--show-suppressed'],
          ...['--format', 'json', '--quiet', ...extra, `${repository}@${digest}`],
        ]),
      ) as {
        Results?: {
          Vulnerabilities?: { VulnerabilityID: string }[];
          ExperimentalModifiedFindings?: { Status: string; Statement: string }[];
        }[];
      };
      const results = report.Results ?? [];
      return {
        reported: results.flatMap((result) => result.Vulnerabilities ?? []).map((v) => v.VulnerabilityID),
        suppressed: results
          .flatMap((result) => result.ExperimentalModifiedFindings ?? [])
          .map((finding) => `${finding.Status} ${finding.Statement}`),
      };
    };

    expect(scan()).toEqual({ reported: ['CVE-2020-8203'], suppressed: [] });
    expect(scan('--vex', vex(digest))).toEqual({
      reported: [],
      suppressed: ['not_affected vulnerable_code_not_in_execute_path'],
    });
    // A document for another digest (another build) hides nothing.
    expect(scan('--vex', vex(`sha256:${'0'.repeat(64)}`))).toEqual({
      reported: ['CVE-2020-8203'],
      suppressed: [],
    });
  },
);
