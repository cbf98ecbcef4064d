/**
 * Permissions: the workflow grants nothing by default, and a write scope is held only by the job whose
 * step needs it. A job granted `write-all`/`read-all`, or the default token, is zizmor's
 * excessive-permissions (the zizmor gate).
 */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the local reusable workflow a job
   names, inside the repository under check. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { JobScope, Report } from '../rule.ts';
import { permissionsOf, record, text, uploadsSarif } from '../rule.ts';

/**
 * Which job may hold which write permission. `security-events` is allowed to any job that uploads
 * SARIF and required there; every other write is forbidden unless listed. A job that calls a local
 * reusable workflow may grant exactly what the called jobs ask for.
 */
export const WRITE_PERMISSIONS: Readonly<Record<string, { jobs: RegExp; why: string }>> = {
  packages: { jobs: /^publish$/, why: 'push the image to GHCR' },
  contents: { jobs: /^release$/, why: 'create the GitHub Release of a v* tag with its signed assets' },
  attestations: { jobs: /^publish$/, why: 'store the build provenance attestation' },
  'id-token': {
    jobs: /^(publish|deploy[\w-]*)$/,
    why: 'keyless signing (publish) and OIDC cloud login (deploy)',
  },
};

/** The union of permissions the jobs of a local reusable workflow ask for. */
export function calleePermissions(root: string, uses: string): Map<string, string> | undefined {
  const path = join(root, uses);
  if (!existsSync(path)) return undefined;
  const callee = record(parse(readFileSync(path, 'utf8')));
  const union = new Map<string, string>();
  for (const job of Object.values(record(callee.jobs))) {
    const permissions = permissionsOf(record(job));
    if (!(permissions instanceof Map)) continue;
    for (const [scope, level] of permissions) {
      if (level === 'write' || (level === 'read' && union.get(scope) !== 'write')) union.set(scope, level);
    }
  }
  return union;
}

/** A job's explicit scope map, for the rules that judge scopes one by one. */
export function scopes({ job }: JobScope): Map<string, string> | undefined {
  const permissions = permissionsOf(job);
  return permissions instanceof Map ? permissions : undefined;
}

export const callsLocalWorkflow = ({ job }: JobScope) => text(job.uses).startsWith('./');

/** Writes a job that runs its own steps holds beyond what those steps need. */
export function needlessWrites(scope: JobScope): Report[] {
  const permissions = scopes(scope);
  if (!permissions || callsLocalWorkflow(scope)) return [];
  const at = [...scope.path, 'permissions'];
  return [...permissions].flatMap(([name, level]): Report[] => {
    if (level !== 'write') return [];
    if (name === 'security-events') {
      return uploadsSarif(scope.job)
        ? []
        : [{ message: 'security-events: write without a SARIF upload', at }];
    }
    const allowance = WRITE_PERMISSIONS[name];
    return allowance?.jobs.test(scope.jobId)
      ? []
      : [
          {
            message: `${name}: write is not allowed in job "${scope.jobId}"${allowance ? ` (only for: ${allowance.why})` : ''}`,
            at,
          },
        ];
  });
}

/** Writes a caller of a local reusable workflow grants that none of the called jobs asks for. */
export function writesBeyondCallee(scope: JobScope): Report[] {
  const permissions = scopes(scope);
  if (!permissions || !callsLocalWorkflow(scope)) return [];
  const uses = text(scope.job.uses);
  const needed = calleePermissions(scope.root, uses);
  if (!needed) return [];
  return [...permissions]
    .filter(([name, level]) => level === 'write' && needed.get(name) !== 'write')
    .map(([name]) => ({
      message: `grants ${name}: write, which no job of ${uses} needs`,
      at: [...scope.path, 'permissions'],
    }));
}
