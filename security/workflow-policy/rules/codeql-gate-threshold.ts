/** The `codeql-gate-threshold` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, actionName, record, text } from '../rule.ts';
import { sarifGateCalls, covered } from '../helpers/tool-contracts.ts';

export const CODEQL_GATE_THRESHOLD: WorkflowRule = defineRule('codeql-gate-threshold', 'step', {
  description:
    'The CodeQL gate fails on error level and on security-severity 7.0 or above: CodeQL results carry no level (the Action groups rules by pack, codeql-action src/codeql.ts).',
  help: 'Call security/sarif-gate.mjs with --fail-level error and --fail-security-severity 7.0 on the analyze output.',
  check: (scope) => {
    const analyzed = scope.steps
      .filter((step) => actionName(text(step.uses)) === 'github/codeql-action/analyze')
      .map((step) => text(record(step.with).output));
    return sarifGateCalls(scope.run)
      .filter((call) => call.paths.some((path) => covered(path, analyzed)))
      .filter((call) => {
        const severity = call.args[call.args.indexOf('--fail-security-severity') + 1];
        const levels = call.args[call.args.indexOf('--fail-level') + 1] ?? '';
        return !(
          call.args.includes('--fail-level') &&
          levels.split(',').includes('error') &&
          call.args.includes('--fail-security-severity') &&
          Number(severity) <= 7
        );
      })
      .map((call) => ({ message: `${scope.label}: ${call.args.join(' ')}` }));
  },
});
