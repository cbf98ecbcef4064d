/** The `continue-on-error` invariant (job hygiene), held at both levels that can set it. */
import type { Json, NodePath, Report, WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';

/** A finding when `node` sets `continue-on-error` to anything but false. */
function silentFailure(node: Json, path: NodePath, message: string): Report[] {
  const value = node['continue-on-error'];
  return value !== undefined && value !== false ? [{ message, at: [...path, 'continue-on-error'] }] : [];
}

export const CONTINUE_ON_ERROR: readonly WorkflowRule[] = [
  defineRule('continue-on-error', 'job', {
    description: 'No job sets `continue-on-error`.',
    help: 'A gate that may fail silently is no gate: fix or skip the check explicitly, with a reason, in its policy file.',
    check: ({ job, path }) => silentFailure(job, path, 'a gate that may fail silently is no gate'),
  }),
  defineRule('continue-on-error', 'step', {
    description: 'No step sets `continue-on-error`.',
    help: 'Use `if: ${{ !cancelled() }}` on the steps that must run after a failure instead.',
    check: ({ step, stepPath }) => silentFailure(step, stepPath, 'step may fail silently'),
  }),
];
