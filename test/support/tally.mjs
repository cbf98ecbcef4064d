// The tally of the runners that are not Jest (the container test, the scanner test, the workflow
// rehearsal): a PASS or FAIL line a check, a failure's detail indented under it, and the one closing
// "N passed, N failed" line that .ci/run counts.

/**
 * @param {{ detailTail?: number }} [options] detailTail: show only the last lines of a failure's
 *   detail (trimmed), for runners whose details are whole tool outputs.
 */
export function createTally({ detailTail } = {}) {
  const results = [];
  const indent = (detail) => {
    const lines =
      detailTail === undefined
        ? String(detail).split('\n')
        : String(detail).trim().split('\n').slice(-detailTail);
    return `\n     ${lines.join('\n     ')}`;
  };
  return {
    /** Records one check and prints its line; returns whether it passed. */
    check(name, ok, detail = '') {
      results.push(Boolean(ok));
      console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${!ok && detail ? indent(detail) : ''}`);
      return Boolean(ok);
    },
    log: (message) => console.log(`  · ${message}`),
    get passed() {
      return results.filter(Boolean).length;
    },
    get failed() {
      return results.filter((ok) => !ok).length;
    },
    /** Prints the closing line; true when at least one check ran and none failed. */
    summary() {
      console.log(`${this.passed} passed, ${this.failed} failed`);
      return this.failed === 0 && this.passed > 0;
    },
  };
}
