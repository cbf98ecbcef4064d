/**
 * Validates SARIF against the SARIF 2.1.0 JSON schema (rtm.5, the revision GitHub code scanning and
 * ESLint's SARIF formatter name). The schema file is vendored from the npm package
 * @microsoft/jest-sarif@1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json, MIT): the machines that run
 * these tests reach no other source, and that package would also pull in a network fetcher.
 * The schema is JSON Schema draft-04, hence ajv-draft-04; its `language` pattern has a stray `]` that
 * is invalid with the `u` flag, hence unicodeRegExp: false.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';

// A CommonJS package: its class is the module itself and, as Node's ES module import sees it, `.default`.
const Ajv = AjvDraft04.default;

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, 'sarif-schema-2.1.0-rtm.5.json'), 'utf8'),
) as object;
const validate = new Ajv({
  allErrors: true,
  strict: false,
  unicodeRegExp: false,
  // Structure is what code scanning rejects; string formats (uri, date-time) are not checked here.
  validateFormats: false,
}).compile(schema);

/** The schema's complaints about a SARIF file (empty when valid). */
export function sarifErrors(path: string): string[] {
  const log: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (validate(log)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}
