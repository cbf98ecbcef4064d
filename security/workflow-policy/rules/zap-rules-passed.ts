/** The `zap-rules-passed` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
/* eslint-disable security/detect-non-literal-fs-filename -- reads the repository's own files, at paths
   named in its workflows; no request or user input reaches these calls. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Report, WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { report, ofAction } from '../helpers/tool-contracts.ts';

export const ZAP_RULES_PASSED: WorkflowRule = defineRule('zap-rules-passed', 'step', {
  description:
    'The ZAP baseline step passes its rules file with -c itself, as zap-baseline.py resolves it under /zap/wrk: zaproxy/action-baseline adds -c only when the file has an IGNORE line (index.js). It fails on WARN too (fail_action true, no -I).',
  help: 'cmd_options: `-c <rules_file_name>` without -I, and fail_action: true.',
  check: ofAction('zaproxy/action-baseline', ({ inputs, label, root }) => {
    const options = text(inputs.cmd_options).split(/\s+/);
    const rulesFile = text(inputs.rules_file_name);
    const passed = options[options.indexOf('-c') + 1];
    const reports: Report[] = [];
    if (!options.includes('-c') || passed === undefined || (rulesFile !== '' && passed !== rulesFile)) {
      reports.push({ message: `${label}: cmd_options does not pass -c ${rulesFile || '<rules file>'}` });
    } else if (!existsSync(join(root, passed))) {
      reports.push({ message: `${label}: -c ${passed} names no file in the repository` });
    }
    return [
      ...reports,
      ...report(
        text(inputs.fail_action) !== 'true' || options.includes('-I'),
        `${label}: a WARN must fail the gate (fail_action: true, no -I)`,
      ),
    ];
  }),
});
