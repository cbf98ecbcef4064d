/**
 * SARIF uploads: a job that uploads findings can, and a fork's pull request (whose token is read-only)
 * skips the upload instead of failing, while its gates still run.
 */

export const FORK_GUARD = /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository/;
