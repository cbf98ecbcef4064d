import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Document, parseDocument } from 'yaml';
import type { Finding, WorkflowFile } from '../../security/workflow-policy.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PIPELINE = '.github/workflows/pipeline.yml';
export const GATES = '.github/workflows/security-gates.yml';

export function workflowFile(path: string): WorkflowFile {
  return { path, text: readFileSync(join(ROOT, path), 'utf8') };
}

/** A copy of a workflow changed through yaml's Document API (comments, hence pin comments, survive). */
export function mutated(path: string, change: (document: Document) => void): WorkflowFile {
  const document = parseDocument(readFileSync(join(ROOT, path), 'utf8'));
  change(document);
  return { path, text: document.toString({ lineWidth: 0 }) };
}

/** A copy of a workflow changed as text (for what lives in comments, like pins). */
export function edited(path: string, change: (text: string) => string): WorkflowFile {
  const original = readFileSync(join(ROOT, path), 'utf8');
  const text = change(original);
  if (text === original) throw new Error(`the edit of ${path} changed nothing`);
  return { path, text };
}

export function rules(findings: Finding[]): string[] {
  return [...new Set(findings.map((finding) => finding.rule))].sort();
}

// What the whole-repository checks (checkRepository) read besides the workflows.
const POLICY_INPUTS = ['.github', 'security', 'checkov.yaml', 'package.json', 'package-lock.json', 'deploy'];
const plantedCopies: string[] = [];

/** A copy of what the repository checks read, with `plant` applied to one file (it must change it). */
export function plantedCopy(path: string, plant: (text: string) => string): string {
  const root = mkdtempSync(join(tmpdir(), 'planted-policy-'));
  plantedCopies.push(root);
  for (const part of POLICY_INPUTS) cpSync(join(ROOT, part), join(root, part), { recursive: true });
  const original = readFileSync(join(root, path), 'utf8');
  const planted = plant(original);
  if (planted === original) throw new Error(`the plant in ${path} changed nothing`);
  writeFileSync(join(root, path), planted);
  return root;
}

/** Removes every copy plantedCopy made (a test file's afterAll). */
export function removePlantedCopies(): void {
  for (const root of plantedCopies.splice(0)) rmSync(root, { recursive: true, force: true });
}
