/** Publish: nothing is pushed before every gate passed, and a pull request never publishes. */
import type { Json } from '../rule.ts';
import { list, permissionsOf, record, text } from '../rule.ts';

/** Jobs that `jobId` needs, directly or through other jobs. */
export function ancestors(jobs: Json, jobId: string, seen = new Set<string>()): Set<string> {
  const needs = record(jobs[jobId]).needs;
  for (const need of typeof needs === 'string' ? [needs] : list(needs).map(text)) {
    if (!seen.has(need)) {
      seen.add(need);
      ancestors(jobs, need, seen);
    }
  }
  return seen;
}

/** A job publishes when it is called publish or may write packages. */
export function publishes(jobId: string, job: Json): boolean {
  const permissions = permissionsOf(job);
  return jobId === 'publish' || (permissions instanceof Map && permissions.get('packages') === 'write');
}
