// The secret scan as a library: secretlint's own core and config loader with the project's one policy
// (.secretlintrc.json, .secretlintignore), for callers that scan content rather than files on disk: the
// pre-commit hook scans what is staged, the history scan scans blobs of past commits.
// @secretlint/core rather than @secretlint/node: the latter loads every output formatter on import,
// which doubled the hook's start-up; the rules and the config they run with are the same.
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadConfig } from '@secretlint/config-loader';
import { lintSource } from '@secretlint/core';
import ignore from 'ignore';

export const SECRETLINT_URI = 'https://github.com/secretlint/secretlint';

/**
 * @typedef {{ rule: string, kind?: string, path: string, line?: number, column?: number, message: string }} SecretFinding
 */

/**
 * @param {string} root the repository whose .secretlintrc.json and .secretlintignore are the policy
 * @returns {Promise<{ isIgnored(path: string): boolean, scan(path: string, content: string): Promise<SecretFinding[]> }>}
 */
export async function createSecretScanner(root) {
  const { config } = await loadConfig({ cwd: root, configFilePath: join(root, '.secretlintrc.json') });
  let ignoreText = '';
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the policy file of the repository scanned
    ignoreText = readFileSync(join(root, '.secretlintignore'), 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  const ignored = ignore().add(ignoreText);
  return {
    isIgnored: (path) => ignored.ignores(path),
    async scan(path, content) {
      // The absolute path lets the policy's filePathGlobs (**/.env …) match as they do in the CLI.
      const filePath = join(root, path);
      const result = await lintSource({
        source: { filePath, content, ext: extname(filePath), contentType: 'text' },
        // Masked below instead: secretlint's own masking also hides the pattern's name, which says what was found.
        options: { config, maskSecrets: false },
      });
      return result.messages.map((message) => ({
        rule: message.ruleId,
        kind: message.messageId,
        path,
        line: message.loc?.start?.line,
        column: message.loc?.start?.column,
        // Findings end up in logs and in code scanning: never repeat the secret there.
        message: maskSecret(message.message, [
          content.slice(message.range[0], message.range[1]),
          // The rule's own message data holds what it found; the pattern rule's name says what kind it is.
          ...Object.entries(message.data ?? {})
            .filter(([key, value]) => key !== 'PATTERN_NAME' && typeof value === 'string')
            .map(([, value]) => value),
        ]),
      }));
    },
  };
}

/**
 * The message with each found value replaced. A rule's range may span more or less than the secret (the
 * AWS rule's covers the key name), so each value is masked whole, and so is any longer word of the
 * message that a value contains.
 */
export function maskSecret(message, values) {
  let masked = message;
  for (const value of values.filter((text) => text.trim().length >= 4)) {
    masked = masked.split(value).join(`[${value.length} characters masked]`);
    masked = masked.replace(/\S{8,}/g, (word) =>
      value.includes(word) ? `[${word.length} characters masked]` : word,
    );
  }
  return masked;
}

/** A NUL byte in the first 8000 bytes: git's own test for a binary file (xdiff's buffer_is_binary). */
export function looksBinary(buffer) {
  return buffer.subarray(0, 8000).includes(0);
}
