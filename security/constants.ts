/**
 * The patterns and paths that more than one part of the project reads: the gates, the policies, the
 * scripts and the tests name them from here, so a digest is recognised the same way everywhere and a
 * policy file moves in one edit. (The shell scripts under deploy/ and scripts/ci/ keep their own `grep`
 * patterns: a shell script cannot import a module.)
 */

/** A sha256 digest's hex, as OCI and git write it: 64 lowercase hex digits. */
const SHA256_HEX = '[0-9a-f]{64}';
/** A full git commit id (SHA-1): 40 lowercase hex digits. */
const COMMIT_SHA_HEX = '[0-9a-f]{40}';

/** A digest on its own: `sha256:<64 hex>` (what a build reports, what an attestation names). */
export const SHA256_DIGEST = new RegExp(`^sha256:${SHA256_HEX}$`);
/** A SHA-256 on its own, as sha256sum prints it and security/tools.json keeps a release's. */
export const SHA256_HASH = new RegExp(`^${SHA256_HEX}$`);
/** An image reference pinned by digest ends with `@sha256:<64 hex>`. */
export const PINNED_BY_DIGEST = new RegExp(`@sha256:${SHA256_HEX}$`);
/** A full commit id and nothing else (an action pin, a `git log` record). */
export const COMMIT_SHA = new RegExp(`^${COMMIT_SHA_HEX}$`);

/** The pinned version of every scanner (install-tools.sh, the gates, the workflows' checks). */
export const TOOLS_FILE = 'security/tools.json';
/** The scanner images, each pinned by digest (CI's steps and the local gates). */
export const IMAGES_FILE = 'security/gates/images.json';
