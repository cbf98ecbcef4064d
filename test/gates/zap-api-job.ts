/** What every ZAP API scan job runs before the scan, in CI's gate and in the self-test alike. */
export function expectZapApiSetup(script: string, description: string): void {
  // The baseline's pinned image, our rules file, and the description the scan reads.
  expect(script).toContain('image=$(jq -r .zap.reference security/gates/images.json)');
  expect(script).toContain('cp security/zap/api-rules.tsv "${work}/api-rules.tsv"');
  expect(script).toContain(`cp ${description} "\${work}/openapi.yaml"`);
}
