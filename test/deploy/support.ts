/**
 * Test support for the deploy scripts: stand-in `gcloud`, `aws` and `cosign` executables that record
 * their argument vectors (and print canned answers where a script parses output), a loopback health
 * server the smoke test really calls, and a runner that starts a script with a clean environment.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPredicate, GATES } from '../../security/attestation/gate-results.ts';
import { openVexDocument } from '../../security/trivy/vex.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DEPLOY_DIR = path.join(REPO_ROOT, 'deploy');
export const script = (name: string): string => path.join(DEPLOY_DIR, name);

export const FULL_SHA = '0123456789abcdef0123456789abcdef01234567';
export const OTHER_SHA = 'fedcba9876543210fedcba9876543210fedcba98';
export const DIGEST_HEX = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const GHCR_IMAGE = `ghcr.io/acme/svc.api@sha256:${DIGEST_HEX}`;
export const GITHUB_REPOSITORY = 'Acme/svc.api';
export const SIGNER_PATTERN =
  '^https://github\\.com/Acme/svc\\.api/\\.github/workflows/pipeline\\.yml@refs/(heads/main|tags/v.*)$';
/** The claims of the signing run every verification names: this repository, a push, this commit. */
export const WORKFLOW_CLAIMS = [
  '--certificate-github-workflow-repository',
  GITHUB_REPOSITORY,
  '--certificate-github-workflow-trigger',
  'push',
  '--certificate-github-workflow-sha',
  FULL_SHA,
];
export const COSIGN_VERIFY = [
  'cosign',
  'verify',
  '--certificate-identity-regexp',
  SIGNER_PATTERN,
  '--certificate-oidc-issuer',
  'https://token.actions.githubusercontent.com',
  ...WORKFLOW_CLAIMS,
];

export const GATE_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1';
/** The identity Fulcio puts in the certificate of a main-branch run of this repository's pipeline. */
export const PIPELINE_IDENTITY = `https://github.com/${GITHUB_REPOSITORY}/.github/workflows/pipeline.yml@refs/heads/main`;
/** The `name:` of pipeline.yml, which Fulcio records as the certificate's workflow name claim. */
export const PIPELINE_WORKFLOW_NAME = 'pipeline';
export const cosignVerifyAttestation = (image: string, ref = 'refs/heads/main'): string[] => [
  'cosign',
  'verify-attestation',
  '--type',
  GATE_PREDICATE_TYPE,
  '--certificate-identity-regexp',
  SIGNER_PATTERN,
  '--certificate-oidc-issuer',
  'https://token.actions.githubusercontent.com',
  ...WORKFLOW_CLAIMS,
  '--certificate-github-workflow-name',
  PIPELINE_WORKFLOW_NAME,
  '--certificate-github-workflow-ref',
  ref,
  image,
];

/** The OpenVEX verification every deploy makes after the gate-results one: same identity and claims. */
export const cosignVerifyVexAttestation = (image: string, ref = 'refs/heads/main'): string[] =>
  cosignVerifyAttestation(image, ref).map((argument) =>
    argument === GATE_PREDICATE_TYPE ? 'openvex' : argument,
  );

/** The three verifications every deploy makes first, in order: signature, gate results, accepted findings. */
export const verifyCalls = (image: string): string[][] => [
  [...COSIGN_VERIFY, image],
  cosignVerifyAttestation(image),
  cosignVerifyVexAttestation(image),
];

/**
 * The GitHub claims Fulcio writes into the certificate of a main-branch push run of this repository's
 * pipeline (fulcio pkg/certificate/extensions.go, the 1.3.6.1.4.1.57264.1.2–.6 extensions cosign's
 * --certificate-github-workflow-* flags compare): FAKE_CERT_<CLAIM> for the stand-in cosign.
 */
export const PIPELINE_CLAIMS: Readonly<Record<string, string>> = {
  FAKE_CERT_REPOSITORY: GITHUB_REPOSITORY,
  FAKE_CERT_TRIGGER: 'push',
  FAKE_CERT_SHA: FULL_SHA,
  FAKE_CERT_NAME: PIPELINE_WORKFLOW_NAME,
  FAKE_CERT_REF: 'refs/heads/main',
};

export interface GateAttestationOptions {
  readonly digestHex?: string;
  readonly repository?: string;
  readonly predicateType?: string;
  /** Job results by gate; every gate not named here succeeded. */
  readonly results?: Readonly<Record<string, string>>;
}

/**
 * One line as `cosign verify-attestation` prints it for a gate-results attestation. The predicate is the
 * real builder's (security/attestation/gate-results.ts) over the fixture reports, so producer and
 * consumer cannot drift apart. Around it, the statement is shaped as cosign v3.0.6 `attest --type <URI>`
 * makes it (pkg/cosign/attestation/attestation.go, generateCustomStatement: in-toto Statement v0.1, the
 * image repository and sha256 as subject, the predicate as given), and the line is Go's json.Marshal of
 * the bundle's DSSE envelope (verifyImageAttestationsSigstoreBundle; sigstore/protobuf-specs v0.5.0
 * dsse.Envelope: payload as base64, payloadType, signatures[].sig).
 */
export function gateAttestationLine(options: GateAttestationOptions = {}): string {
  const digestHex = options.digestHex ?? DIGEST_HEX;
  const repository = options.repository ?? GITHUB_REPOSITORY;
  const predicate = buildPredicate({
    reportsDir: path.join(REPO_ROOT, 'test', 'fixtures', 'gate-reports'),
    results: Object.fromEntries(GATES.map((gate) => [gate.name, options.results?.[gate.name] ?? 'success'])),
    image: 'ghcr.io/acme/svc.api',
    digest: `sha256:${digestHex}`,
    repository,
    commit: FULL_SHA,
    serverUrl: 'https://github.com',
    runUrl: `https://github.com/${repository}/actions/runs/1234567890`,
    policyFile: readFileSync(path.join(REPO_ROOT, '.github', 'workflows', 'security-gates.yml'), 'utf8'),
    lockfile: readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8'),
    timeVerified: '2026-11-27T10:00:00.000Z',
  });
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: options.predicateType ?? GATE_PREDICATE_TYPE,
    subject: [{ name: 'ghcr.io/acme/svc.api', digest: { sha256: digestHex } }],
    predicate,
  };
  return JSON.stringify({
    payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    payloadType: 'application/vnd.in-toto+json',
    // The stand-in checks no signature; a literal one would read as a secret to the secret scanners.
    signatures: [{ sig: Buffer.from('stand-in signature').toString('base64') }],
  });
}

/** The predicate type cosign v3.0.6 gives `attest --type openvex` (pkg/cosign/attestation, OpenVexNamespace). */
export const OPENVEX_PREDICATE_TYPE = 'https://openvex.dev/ns';

/**
 * One line as `cosign verify-attestation --type openvex` prints it for the accepted-findings attestation:
 * the document is the real generator's (security/trivy/vex.ts) for an ignore file with no accepted
 * finding (a valid release may accept none), in the statement and envelope shaped as gateAttestationLine's.
 */
export function vexAttestationLine(options: { digestHex?: string; predicateType?: string } = {}): string {
  const digestHex = options.digestHex ?? DIGEST_HEX;
  const { document } = openVexDocument('', {
    image: 'ghcr.io/acme/svc.api',
    digest: `sha256:${digestHex}`,
    author: `https://github.com/${GITHUB_REPOSITORY}`,
    id: `https://github.com/${GITHUB_REPOSITORY}/actions/runs/1234567890#openvex`,
    now: new Date('2026-11-27T10:00:00.000Z'),
  });
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: options.predicateType ?? OPENVEX_PREDICATE_TYPE,
    subject: [{ name: 'ghcr.io/acme/svc.api', digest: { sha256: digestHex } }],
    predicate: document,
  };
  return JSON.stringify({
    payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
    payloadType: 'application/vnd.in-toto+json',
    signatures: [{ sig: Buffer.from('stand-in signature').toString('base64') }],
  });
}

/** `text` as one single-quoted bash word. */
const shellQuote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

export const RECORD_LINE = `{ printf '%s' "\${0##*/}"; printf '\\037%s' "$@"; printf '\\n'; } >>"\${FAKE_RECORD:?}"`;

/**
 * `cosign verify-attestation --type` as cosign v3.0.6 applies it (cmd/cosign/cli/verify/verify_attestation.go
 * with pkg/policy/attestation.go, AttestationToPayloadJSON): the type is a name of its table
 * (cmd/cosign/cli/options/predicate.go, PredicateTypeMap; the names used here) or a URI used as is; only the statements of that
 * predicate type are printed; a statement that does not parse stops it; none of that type is an error.
 */
const PREDICATE_TYPE_FILTER = `
const [type] = process.argv.slice(1);
// The names of cosign's table these tests use (the rest of the table is not needed here).
const table = {
  custom: "https://cosign.sigstore.dev/attestation/v1",
  cyclonedx: "https://cyclonedx.org/bom",
  vuln: "https://cosign.sigstore.dev/attestation/vuln/v1",
  openvex: "https://openvex.dev/ns",
};
const uri = table[type] ?? type;
const lines = require("fs").readFileSync(0, "utf8").split("\\n").filter((line) => line.trim() !== "");
const found = [];
const matched = [];
for (const line of lines) {
  let statement;
  try {
    statement = JSON.parse(Buffer.from(JSON.parse(line).payload, "base64").toString("utf8"));
  } catch (error) {
    console.error("Error: converting to consumable policy validation: unmarshal in-toto statement: " + error.message);
    process.exit(1);
  }
  found.push(statement.predicateType);
  if (statement.predicateType === uri) matched.push(line);
}
if (matched.length === 0) {
  console.error("Error: none of the attestations matched the predicate type: " + type + ", found: " + found.join(","));
  process.exit(1);
}
console.log(matched.join("\\n"));
`;

// Each stand-in records its argument vector, one call per line, arguments separated by US (\x1f).
const STAND_INS: Record<string, string> = {
  // verify-attestation behaves as cosign v3.0.6 does (cmd/cosign/cli/verify/verify_attestation.go): it
  // refuses unless the certificate's identity (FAKE_ATTESTATION_SIGNER) matches the regexp it was given,
  // and refuses when the registry holds no attestation; else it prints the verified envelopes on stdout.
  // Both verify commands compare each --certificate-github-workflow-* value given with the certificate's
  // claim exactly, with cosign's messages (pkg/cosign/verify.go, validateCertExtensions): the claims are
  // FAKE_CERT_<CLAIM>, for the attestation's certificate FAKE_ATTESTATION_CERT_<CLAIM> where set. A flag
  // not given is not checked, as in cosign: a script that drops one accepts a certificate it should not.
  cosign: `${RECORD_LINE}
PREDICATE_TYPE_FILTER=${shellQuote(PREDICATE_TYPE_FILTER)}
check_claims() {
  local prefix=$1 previous='' argument claim label variable fallback value
  shift
  for argument in "$@"; do
    case $previous in
      --certificate-github-workflow-trigger) claim=TRIGGER label=Trigger ;;
      --certificate-github-workflow-sha) claim=SHA label=SHA ;;
      --certificate-github-workflow-name) claim=NAME label=Name ;;
      --certificate-github-workflow-repository) claim=REPOSITORY label=Repository ;;
      --certificate-github-workflow-ref) claim=REF label=Ref ;;
      *) claim='' ;;
    esac
    if [ -n "$claim" ]; then
      variable=FAKE_\${prefix}CERT_$claim
      fallback=FAKE_CERT_$claim
      value=\${!variable-\${!fallback-}}
      if [ "$value" != "$argument" ]; then
        echo "Error: expected GitHub Workflow $label not found in certificate" >&2
        exit 1
      fi
    fi
    previous=$argument
  done
}
if [ "$1" = verify ]; then
  check_claims '' "$@"
fi
if [ "$1" = verify-attestation ]; then
  regexp='' previous=''
  for argument in "$@"; do
    if [ "$previous" = --certificate-identity-regexp ]; then regexp=$argument; fi
    previous=$argument
  done
  if [ -z "$regexp" ]; then
    echo 'Error: --certificate-identity or --certificate-identity-regexp is required' >&2
    exit 1
  fi
  if ! [[ \${FAKE_ATTESTATION_SIGNER:-} =~ $regexp ]]; then
    echo "Error: no matching attestations: none of the expected identities matched what was in the certificate, got subjects [\${FAKE_ATTESTATION_SIGNER:-}] with issuer https://token.actions.githubusercontent.com" >&2
    exit 1
  fi
  check_claims ATTESTATION_ "$@"
  if [ ! -s "\${FAKE_ATTESTATIONS:-/nonexistent}" ]; then
    echo 'Error: no matching attestations: no valid bundles exist in registry' >&2
    exit 1
  fi
  type=custom previous=''
  for argument in "$@"; do
    if [ "$previous" = --type ]; then type=$argument; fi
    previous=$argument
  done
  exec ${JSON.stringify(process.execPath)} -e "$PREDICATE_TYPE_FILTER" "$type" <"\${FAKE_ATTESTATIONS}"
fi
exit "\${FAKE_COSIGN_EXIT:-0}"
`,
  // Binary Authorization as Google applies it: sign-and-create stores an attestation for --artifact-url
  // (FAKE_BINAUTHZ_ATTESTATIONS, one image reference a line); a deploy with --binary-authorization=default
  // of an image the store does not hold is refused, as the policy requiring the attestor refuses it.
  gcloud: `${RECORD_LINE}
if [ "$1 $2 $3 $4" = 'container binauthz attestations sign-and-create' ]; then
  for argument in "$@"; do
    case $argument in --artifact-url=*) printf '%s\\n' "\${argument#--artifact-url=}" >>"\${FAKE_BINAUTHZ_ATTESTATIONS:?}" ;; esac
  done
fi
if [ "$1 $2" = 'run deploy' ]; then
  image='' enforced=false
  for argument in "$@"; do
    case $argument in
      --image=*) image=\${argument#--image=} ;;
      --binary-authorization=default) enforced=true ;;
    esac
  done
  attested=false
  if [ -f "\${FAKE_BINAUTHZ_ATTESTATIONS:-}" ]; then
    while IFS= read -r line; do [ "$line" = "$image" ] && attested=true; done <"\${FAKE_BINAUTHZ_ATTESTATIONS}"
  fi
  if [ "$enforced" = true ] && [ "$attested" = false ]; then
    echo "ERROR: (gcloud.run.deploy) Container image '$image' is not authorized by policy: denied by attestor, no attestations found that were valid and signed by a key trusted by the attestor" >&2
    exit 1
  fi
fi
case "$1 $2 $3" in
  'run services describe') printf '%s\\n' "\${FAKE_GCLOUD_URL:-}" ;;
  'auth print-identity-token '*) printf '%s\\n' "\${FAKE_GCLOUD_TOKEN:-}" ;;
esac
exit "\${FAKE_GCLOUD_EXIT:-0}"
`,
  aws: `${RECORD_LINE}
case "$1 $2" in
  'elasticbeanstalk describe-application-versions') printf '%s\\n' "\${FAKE_AWS_VERSION_COUNT:-0}" ;;
  'elasticbeanstalk describe-environments') printf '%s\\n' "\${FAKE_AWS_ENVIRONMENT:-}" ;;
  's3 cp') cp "$3" "\${FAKE_S3_COPY:?}" ;;
esac
exit 0
`,
};

export interface Sandbox {
  readonly dir: string;
  readonly bin: string;
  readonly record: string;
  /** What the stand-in `cosign verify-attestation` finds in the registry (FAKE_ATTESTATIONS). */
  readonly attestations: string;
  /** The image references the stand-in Binary Authorization holds an attestation for (FAKE_BINAUTHZ_ATTESTATIONS). */
  readonly binauthz: string;
  /** What the stand-in Binary Authorization holds attestations for, one image reference each. */
  binauthzAttested(): string[];
  /** Replaces the attestations the registry holds, one `gateAttestationLine` each. */
  attest(...lines: string[]): void;
  /** The calls the stand-ins saw, each as its argument vector (program name first). */
  calls(): string[][];
  recordExists(): boolean;
  cleanup(): void;
}

/** `extraStandIns`: more stand-ins (name → bash body after the shebang), e.g. skopeo and docker. */
export function makeSandbox(extraStandIns: Record<string, string> = {}): Sandbox {
  const dir = mkdtempSync(path.join(tmpdir(), 'deploy-test-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries({ ...STAND_INS, ...extraStandIns })) {
    const file = path.join(bin, name);
    writeFileSync(file, `#!/usr/bin/env bash\n# Stand-in for ${name}.\n${body}`);
    chmodSync(file, 0o755);
  }
  const record = path.join(dir, 'calls.record');
  const attestations = path.join(dir, 'attestations.jsonl');
  const binauthz = path.join(dir, 'binauthz-attestations.txt');
  return {
    dir,
    bin,
    record,
    attestations,
    binauthz,
    binauthzAttested: () =>
      existsSync(binauthz)
        ? readFileSync(binauthz, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
        : [],
    attest: (...lines: string[]) => writeFileSync(attestations, lines.map((line) => `${line}\n`).join('')),
    calls: () =>
      existsSync(record)
        ? readFileSync(record, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => line.split('\x1f'))
        : [],
    recordExists: () => existsSync(record),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A directory holding only the named commands (symlinks to the machine's), for running a script on a
 * PATH that lacks something (jq, say).
 */
export function restrictedBin(parent: string, commands: readonly string[]): string {
  const bin = path.join(parent, 'restricted-bin');
  mkdirSync(bin);
  for (const command of commands) {
    const target = execFileSync('bash', ['-c', 'command -v "$1"', 'bash', command], {
      encoding: 'utf8',
    }).trim();
    symlinkSync(target, path.join(bin, command));
  }
  return bin;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a script asynchronously (the health server lives in this process, so a blocking spawn would
 * starve it) with only the environment given: nothing leaks in from the machine or from CI (a runner
 * sets GITHUB_REPOSITORY, for one). `pathPrefix` goes before the machine's PATH; a PATH in `env` replaces it.
 */
export function runScript(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  pathPrefix: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: {
        PATH: `${pathPrefix}:${process.env.PATH ?? ''}`,
        HOME: process.env.HOME ?? '/tmp',
        LANG: 'C',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A run that did its job: stderr says `says` (checked first, so a failure shows the script's own
 * account), exit 0, and stdout is exactly the one result line the script prints.
 */
export function expectSucceeded(result: RunResult, says: string, stdout: string): void {
  expect(result.stderr).toContain(says);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(stdout);
}

export interface HealthAnswer {
  status: number;
  body: string;
}

/** The base environment with some variables changed, and those set to `undefined` removed. */
export function withOverrides(
  base: Record<string, string>,
  overrides: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string | undefined> = { ...base, ...overrides };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return env as Record<string, string>;
}

export const healthBody = (sha: string): string =>
  JSON.stringify({ myapplication: [{ version: '1.0.0', description: 'test', lastcommitsha: sha }] });

export interface HealthServer {
  readonly url: string;
  /** Requests seen on /healthcheck, with their Authorization header. */
  readonly requests: { authorization: string | undefined }[];
  answer: HealthAnswer;
  /** When set, /healthcheck answers 401 unless this bearer token is presented. */
  requiredToken: string | undefined;
  close(): Promise<void>;
}

import type { TlsMaterial } from '../support/tls.ts';

export { makeTlsMaterial, type TlsMaterial } from '../support/tls.ts';

export async function startHealthServer(tls?: TlsMaterial): Promise<HealthServer> {
  const state: Omit<HealthServer, 'url' | 'close'> = {
    requests: [],
    answer: { status: 200, body: healthBody(FULL_SHA) },
    requiredToken: undefined,
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url !== '/healthcheck') {
      res.writeHead(404).end();
      return;
    }
    state.requests.push({ authorization: req.headers.authorization });
    if (state.requiredToken !== undefined && req.headers.authorization !== `Bearer ${state.requiredToken}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    res.writeHead(state.answer.status, { 'content-type': 'application/json' }).end(state.answer.body);
  };
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
