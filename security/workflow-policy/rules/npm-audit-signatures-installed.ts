/** The `npm-audit-signatures-installed` invariant (tool contracts); its helpers are in ../helpers/tool-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { commands, linesUpTo } from '../helpers/tool-contracts.ts';

export const NPM_AUDIT_SIGNATURES_INSTALLED: WorkflowRule = defineRule(
  'npm-audit-signatures-installed',
  'step',
  {
    description:
      '`npm audit signatures` runs after `npm ci` in its job: it verifies the installed tree (npm lib/utils/verify-signatures.js).',
    help: 'Run `npm ci` (with --ignore-scripts where the job can write) in an earlier line or step.',
    check: (scope) => {
      const lines = linesUpTo(scope);
      const ownFrom = lines.length - commands(scope.run).length;
      // The same line counts as installed first (`npm ci && npm audit signatures`).
      const installedBy = (index: number) =>
        lines.slice(0, index + 1).some((line) => /\bnpm ci\b/.test(line));
      return (
        lines
          .map((line, index) => ({ line, index }))
          // security/dependencies/npm-audit-gate.sh signatures runs `npm audit signatures` itself.
          .filter(
            ({ line, index }) =>
              index >= ownFrom && /\bnpm audit signatures\b|npm-audit-gate\.sh signatures\b/.test(line),
          )
          .filter(({ index }) => !installedBy(index))
          .map(() => ({ message: `${scope.label}: npm audit signatures before npm ci` }))
      );
    },
  },
);
