/** The `sarif-from-scanner` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { Report, WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { stepsBefore, sarifWrittenBy, sarifGateCalls, covered, report } from '../helpers/tool-contracts.ts';

export const SARIF_FROM_SCANNER: WorkflowRule = defineRule('sarif-from-scanner', 'step', {
  description:
    "Every SARIF that is uploaded or gated is a file the job's own scanner writes, earlier in that job (a path that nothing writes is a gate that reads nothing).",
  help: 'Upload or gate on the exact path the scanner step writes, after that step.',
  check: (scope) => {
    const written = stepsBefore(scope).flatMap(sarifWrittenBy);
    const reports: Report[] = [];
    if (scope.action === 'github/codeql-action/upload-sarif') {
      const file = text(scope.inputs.sarif_file ?? '../results');
      reports.push(
        ...report(
          !covered(file, written),
          `${scope.label} uploads ${file}, which no earlier step of the job writes`,
        ),
      );
    }
    for (const path of sarifGateCalls(scope.run).flatMap((call) => call.paths)) {
      reports.push(
        ...report(
          !path.startsWith('$') && !path.startsWith('"$') && !covered(path, written),
          `${scope.label} gates on ${path}, which no earlier step of the job writes`,
        ),
      );
    }
    return reports;
  },
});
