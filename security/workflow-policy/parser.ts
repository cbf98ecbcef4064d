/**
 * GitHub's own workflow parser (@actions/workflow-parser): the syntax check GitHub runs when a workflow
 * is pushed — unknown keys, `needs` on a missing job, wrong types.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- bundles the parser from the repository's
   node_modules into the OS temp folder and loads it from there. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, WorkflowFile } from './rule.ts';

interface WorkflowParser {
  parseWorkflow(
    file: { name: string; content: string },
    trace: unknown,
  ): { context: { errors: { getErrors(): { message: string }[] } }; value: unknown };
  convertWorkflowTemplate(context: unknown, value: unknown): Promise<unknown>;
  NoOperationTraceWriter: new () => unknown;
}

let loadedParser: WorkflowParser | undefined;

/**
 * @actions/workflow-parser imports its JSON schemas without import attributes, which Node refuses
 * (ERR_IMPORT_ATTRIBUTE_MISSING). esbuild bundles it, schemas included, into one CommonJS file once
 * per parser version; that file is then required directly.
 */
function loadWorkflowParser(root: string): WorkflowParser {
  if (loadedParser) return loadedParser;
  const requireFromRoot = createRequire(join(root, 'package.json'));
  const packageJson = join(root, 'node_modules', '@actions', 'workflow-parser', 'package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const dir = join(tmpdir(), 'workflow-parser-bundle');
  const bundle = join(dir, `workflow-parser-${version}.cjs`);
  if (!existsSync(bundle)) {
    const esbuild = requireFromRoot('esbuild') as {
      buildSync(options: Record<string, unknown>): { outputFiles: { contents: Uint8Array }[] };
    };
    const result = esbuild.buildSync({
      entryPoints: ['@actions/workflow-parser'],
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
    });
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed, so a parallel test worker never requires a half-written file.
    const partial = `${bundle}.${process.pid}.tmp`;
    writeFileSync(partial, result.outputFiles[0]?.contents ?? '');
    renameSync(partial, bundle);
  }
  loadedParser = requireFromRoot(bundle) as WorkflowParser;
  return loadedParser;
}

/** Errors GitHub's workflow parser reports for one workflow (unknown keys, bad needs, bad types). */
export async function checkWorkflowSyntax(root: string, file: WorkflowFile): Promise<Finding[]> {
  const parser = loadWorkflowParser(root);
  const result = parser.parseWorkflow(
    { name: file.path, content: file.text },
    new parser.NoOperationTraceWriter(),
  );
  await parser.convertWorkflowTemplate(result.context, result.value);
  return result.context.errors
    .getErrors()
    .map((error) => ({ rule: 'workflow-syntax', file: file.path, message: error.message }));
}
