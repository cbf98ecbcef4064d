/**
 * The accepted findings of security/trivy/.trivyignore as an OpenVEX document (spec v0.2.0) for the
 * pushed image, which the publish job attests to its digest with `cosign attest --type openvex`. Whoever
 * scans the published image with `trivy image --vex FILE` then sees the same verdict as our gate, and why.
 *
 * How Trivy v0.70.0 applies it (pkg/vex/vex.go, openvex.go; openvex/go-vex v0.2.7 pkg/vex): for each
 * vulnerability it walks from the vulnerable package up to the scanned image and asks, at each component,
 * for a statement whose vulnerability name equals the finding's id and whose product matches that
 * component's purl; `not_affected` and `fixed` remove the finding, any other status keeps it. The image's
 * purl is `pkg:oci/<name>@<digest>?repository_url=<registry>/<path>&arch=…` (pkg/purl parseOCI), built
 * only when Trivy reads the image from a registry (an archive or layout has no repository digest); a
 * product purl matches when every qualifier it names is present with the same value, so ours leaves out
 * `arch`. A statement without subcomponents covers the id in every package of the image, which is what a
 * .trivyignore line does (pkg/result/filter.go matches the id alone).
 *
 * Node runs this TypeScript directly (type stripping), with no dependency: the publish job installs
 * nothing.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's ignore file and writes
   the path the workflow names; no request or user input reaches these calls. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SHA256_DIGEST } from '../constants.ts';

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';

/** OpenVEX v0.2.0's justifications for `not_affected` (spec, "Status Justifications"). */
export const JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type Justification = (typeof JUSTIFICATIONS)[number];

/**
 * The ids Trivy's VEX filter can apply to: vulnerability ids. Secret rule ids (`private-key`),
 * misconfiguration ids (`AVD-DS-0002`) and licenses are filtered by .trivyignore alone: Trivy applies VEX
 * to `Result.Vulnerabilities` only (pkg/vex/vex.go Filter).
 */
const GHSA_PART = '[23456789cfghjmpqrvwx]{4}';
const VULNERABILITY_ID = new RegExp(
  `^(CVE-\\d{4}-\\d{4,}|GHSA-${GHSA_PART}-${GHSA_PART}-${GHSA_PART}|GO-\\d{4}-\\d{4,}|PYSEC-\\d{4}-\\d+|RUSTSEC-\\d{4}-\\d{4})$`,
);

/** One entry of the ignore file with the comment block above it. */
export interface AcceptedFinding {
  id: string;
  line: number;
  /** `[…]` of `# reason[…]:`: a justification, `affected`, or undefined when the line has none. */
  verdict: string | undefined;
  reason: string | undefined;
  expires: string | undefined;
}

/** `# reason: text` or `# reason[verdict]: text`, else undefined. */
function reasonOf(comment: string): { verdict: string | undefined; text: string } | undefined {
  const body = comment.replace(/^#\s*/, '');
  if (!body.toLowerCase().startsWith('reason')) return undefined;
  const colon = body.indexOf(':');
  const head = body.slice('reason'.length, colon);
  const text = body.slice(colon + 1).trim();
  if (colon < 0 || text === '') return undefined;
  if (head === '') return { verdict: undefined, text };
  if (!head.startsWith('[') || !head.endsWith(']')) return undefined;
  return { verdict: head.slice(1, -1).trim(), text };
}

export function readAcceptedFindings(source: string): AcceptedFinding[] {
  const findings: AcceptedFinding[] = [];
  let comments: string[] = [];
  for (const [index, raw] of source.split('\n').entries()) {
    const line = raw.trim();
    if (line.startsWith('#')) comments.push(line);
    if (line.startsWith('#') || line === '') {
      if (line === '') comments = [];
      continue;
    }
    const reasonLine = comments.map(reasonOf).find((reason) => reason !== undefined);
    const fields = line.split(/\s+/);
    findings.push({
      id: fields[0] ?? line,
      line: index + 1,
      verdict: reasonLine?.verdict,
      reason: reasonLine?.text,
      expires: fields.find((field) => field.startsWith('exp:'))?.slice('exp:'.length),
    });
    comments = [];
  }
  return findings;
}

/** `ghcr.io/owner/name` and `sha256:…` as the purl Trivy gives the image when it pulls it by digest. */
export function imagePurl(image: string, digest: string): string {
  const repository = image.toLowerCase();
  if (!SHA256_DIGEST.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
  const [registry = '', ...path] = repository.split('/');
  const [host = '', port, ...rest] = registry.split(':');
  const wellFormed =
    /^[a-z0-9.-]+$/.test(host) &&
    (port === undefined || /^\d+$/.test(port)) &&
    rest.length === 0 &&
    path.length > 0 &&
    path.every((part) => /^[a-z0-9._-]+$/.test(part));
  if (!wellFormed) throw new Error(`not a registry repository (registry/path/name): ${image}`);
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return `pkg:oci/${name}@${encodeURIComponent(digest)}?repository_url=${encodeURIComponent(repository)}`;
}

export interface VexOptions {
  image: string;
  digest: string;
  author: string;
  id: string;
  now: Date;
}

export interface VexResult {
  document: Record<string, unknown>;
  /** Entries .trivyignore keeps but OpenVEX cannot say (not vulnerability ids), with why. */
  ignoreFileOnly: string[];
}

/**
 * The document, or an error naming every entry that cannot be attested: no reason, no verdict for a
 * vulnerability, an unknown verdict, no expiry, or an expiry that has passed (Trivy stops honouring such
 * an entry that day, and so must the published verdict).
 */
export function openVexDocument(source: string, options: VexOptions): VexResult {
  const product = imagePurl(options.image, options.digest);
  const problems: string[] = [];
  const statements: Record<string, unknown>[] = [];
  const ignoreFileOnly: string[] = [];
  for (const finding of readAcceptedFindings(source)) {
    const where = `line ${finding.line}: ${finding.id}`;
    const expires = finding.expires ? new Date(`${finding.expires}T00:00:00Z`) : undefined;
    if (finding.reason === undefined) problems.push(`${where} has no "# reason:" comment above it`);
    if (!expires || Number.isNaN(expires.getTime())) problems.push(`${where} has no exp:YYYY-MM-DD`);
    else if (expires.getTime() <= options.now.getTime())
      problems.push(`${where} expired on ${finding.expires}: review it before anything is published`);
    if (!VULNERABILITY_ID.test(finding.id)) {
      ignoreFileOnly.push(
        `${where}: not a vulnerability id (a secret, misconfiguration or license), which Trivy filters with .trivyignore only`,
      );
      continue;
    }
    const { verdict } = finding;
    if (verdict === 'affected') {
      statements.push({
        vulnerability: { name: finding.id },
        products: [{ '@id': product }],
        status: 'affected',
        action_statement: `${finding.reason} (accepted until ${finding.expires})`,
      });
    } else if (JUSTIFICATIONS.includes(verdict as Justification)) {
      statements.push({
        vulnerability: { name: finding.id },
        products: [{ '@id': product }],
        status: 'not_affected',
        justification: verdict,
        impact_statement: `${finding.reason} (accepted until ${finding.expires})`,
      });
    } else {
      problems.push(
        `${where}: "# reason[VERDICT]:" must name one of ${[...JUSTIFICATIONS, 'affected'].join(', ')}${verdict === undefined ? '' : ` (got "${verdict}")`}`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`cannot attest .trivyignore:\n${problems.join('\n')}`);
  return {
    document: {
      '@context': OPENVEX_CONTEXT,
      '@id': options.id,
      author: options.author,
      timestamp: options.now.toISOString(),
      version: 1,
      statements,
    },
    ignoreFileOnly,
  };
}

const USAGE =
  'usage: node security/trivy/vex.ts --ignorefile FILE --image REGISTRY/PATH --digest sha256:… --author TEXT --id IRI --output FILE';

const TEXT = { type: 'string' } as const;
const IGNOREFILE = { type: 'string', default: 'security/trivy/.trivyignore' } as const;

export function main(argv: string[], write: (text: string) => void = console.error): number {
  const { values } = parseArgs({
    args: argv,
    options: { ignorefile: IGNOREFILE, image: TEXT, digest: TEXT, author: TEXT, id: TEXT, output: TEXT },
  });
  const { ignorefile, image, digest, author, id, output } = values;
  if (!image || !digest || !author || !id || !output) {
    write(USAGE);
    return 2;
  }
  try {
    const result = openVexDocument(readFileSync(ignorefile, 'utf8'), {
      image,
      digest,
      author,
      id,
      now: new Date(),
    });
    writeFileSync(output, `${JSON.stringify(result.document, null, 2)}\n`);
    const count = (result.document.statements as unknown[]).length;
    write(`vex: ${count} statement(s) for ${imagePurl(image, digest)} in ${output}`);
    for (const note of result.ignoreFileOnly) write(`vex: kept in .trivyignore only, ${note}`);
    return 0;
  } catch (err) {
    write(`vex: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (process.argv[1] === import.meta.filename) process.exitCode = main(process.argv.slice(2));
