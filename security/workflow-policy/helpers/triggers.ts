/**
 * Triggers: no free-form input on a manual run. An event that hands fork code a write token
 * (pull_request_target, workflow_run) is zizmor's dangerous-triggers (the zizmor gate).
 */
import { list, record, text } from '../rule.ts';

export function triggerMap(on: unknown): Record<string, unknown> {
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(list(on).map((trigger) => [text(trigger), null]));
  return record(on);
}
