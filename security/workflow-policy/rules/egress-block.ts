/**
 * Egress blocked where a token is held: a job that may write (any `write` permission, `write-all`, an
 * OIDC grant, or GitHub's default token when no `permissions:` is set anywhere) starts with
 * step-security/harden-runner in block mode and a list of the endpoints its steps contact. In audit mode a
 * compromised action in such a job would only be logged while it sent the token home.
 *
 * The list's format is the agent's: step-security/agent (config.go `parseEndpoints`, v0.16.0) splits
 * `allowed_endpoints` on single spaces into `host[:port]`, so the input is written as a folded scalar
 * (`>`), one `host:port` a line; a literal block (`|`) would keep the newlines inside one "endpoint".
 */
import type { Json, WorkflowRule } from '../rule.ts';
import { actionName, defineRule, permissionsOf, record, text } from '../rule.ts';

const HARDEN_RUNNER = 'step-security/harden-runner';
const LABEL = /^[a-z0-9-]{1,63}$/;

/** `host:port`, the host optionally starting with a `*.` wildcard (the agent's matchWildcardDomain). */
function wellFormed(entry: string): boolean {
  const [host = '', port, ...rest] = entry.split(':');
  const labels = host.replace(/^\*\./, '').split('.');
  return (
    rest.length === 0 &&
    /^\d{1,5}$/.test(port ?? '') &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label) && !label.startsWith('-') && !label.endsWith('-'))
  );
}

/** Whether the job's token can write something, or mint an OIDC token. */
export function holdsWriteToken(workflow: Json, job: Json): boolean {
  const permissions = permissionsOf(job) ?? permissionsOf(workflow);
  // No permissions anywhere: the repository's default token, which may be read-write.
  if (permissions === undefined || permissions === 'write-all') return true;
  if (permissions === 'read-all') return false;
  return [...permissions.values()].includes('write');
}

/** The endpoints a harden-runner step allows, as the agent reads them ('' entries dropped). */
export function allowedEndpoints(step: Json): string[] {
  return text(record(step.with)['allowed-endpoints'])
    .trim()
    .split(' ')
    .filter((entry) => entry !== '');
}

export const EGRESS_BLOCK: WorkflowRule = defineRule('egress-block', 'job', {
  description:
    'A job holding a write permission or `id-token: write` runs on the runner itself (no `container:`) and starts with harden-runner in `egress-policy: block` with a non-empty, well-formed `allowed-endpoints`.',
  help: 'Audit mode only logs a compromised step sending the token out. List each endpoint the steps contact as `host:port` in a folded scalar (`allowed-endpoints: >`), with a comment naming the step and the source it was read from.',
  check: ({ workflow, job, steps, path }) => {
    if (job['runs-on'] === undefined || !holdsWriteToken(workflow, job)) return [];
    // harden-runner cannot run its agent when the whole job runs in a container on a GitHub runner
    // (its docs/limitations.md): such a job would hold the token with nothing enforcing the list.
    if (job.container !== undefined)
      return [
        {
          message: 'a job holding a write token cannot run in a container: harden-runner cannot block there',
          at: [...path, 'container'],
        },
      ];
    const first = steps[0];
    const at = [...path, 'steps', 0];
    if (!first || actionName(text(first.uses)) !== HARDEN_RUNNER)
      return [
        { message: 'a job holding a write token must start with harden-runner', at: first ? at : path },
      ];
    const inputs = record(first.with);
    if (text(inputs['egress-policy']) !== 'block')
      return [{ message: 'a job holding a write token needs egress-policy: block', at }];
    const raw = text(inputs['allowed-endpoints']);
    if (raw.trim() === '')
      return [{ message: 'egress-policy: block with no allowed-endpoints lets nothing out', at }];
    if (raw.trim().includes('\n'))
      return [
        {
          message: 'allowed-endpoints must be a folded scalar (>): the agent splits on spaces, not newlines',
          at: [...at, 'with', 'allowed-endpoints'],
        },
      ];
    const malformed = allowedEndpoints(first).filter((entry) => !wellFormed(entry));
    return malformed.length > 0
      ? [
          {
            message: `allowed-endpoints entries must be host:port: ${malformed.join(', ')}`,
            at: [...at, 'with', 'allowed-endpoints'],
          },
        ]
      : [];
  },
});
