/**
 * Every workflow rule, in the order findings are reported. Adding a rule: write it in the module of its
 * concern under rules/ (or a new one), list it here, and give it a fixture under
 * test/pipeline/fixtures/workflow-policy/ marked with the findings it must produce.
 */
import type { WorkflowRule } from './rule.ts';
import { EGRESS_RULES } from './rules/egress-block.ts';
import { GATE_RULES } from './rules/gate-rules.ts';
import { IMAGE_FLOW_RULES } from './rules/image-flow.ts';
import { JOB_HYGIENE_RULES } from './rules/job-hygiene.ts';
import { PERMISSION_RULES } from './rules/permissions.ts';
import { PIN_RULES } from './rules/pins.ts';
import { PUBLISH_CONTRACT_RULES } from './rules/publish-contracts.ts';
import { PUBLISH_RULES } from './rules/publish.ts';
import { SARIF_UPLOAD_RULES } from './rules/sarif-uploads.ts';
import { STEP_SAFETY_RULES } from './rules/step-safety.ts';
import { TOOL_CONTRACT_RULES } from './rules/tool-contracts.ts';
import { TOOL_PIN_RULES } from './rules/tool-pins.ts';
import { TRIGGER_RULES } from './rules/triggers.ts';

export const WORKFLOW_RULE_GROUPS: Readonly<Record<string, readonly WorkflowRule[]>> = {
  pins: PIN_RULES,
  triggers: TRIGGER_RULES,
  permissions: PERMISSION_RULES,
  'job hygiene': JOB_HYGIENE_RULES,
  egress: EGRESS_RULES,
  'step safety': STEP_SAFETY_RULES,
  'image flow': IMAGE_FLOW_RULES,
  'SARIF uploads': SARIF_UPLOAD_RULES,
  publish: PUBLISH_RULES,
  gates: GATE_RULES,
  'tool contracts': TOOL_CONTRACT_RULES,
  'tool pins': TOOL_PIN_RULES,
  'publish contracts': PUBLISH_CONTRACT_RULES,
};

export const REGISTERED_RULES: readonly WorkflowRule[] = Object.values(WORKFLOW_RULE_GROUPS).flat();
