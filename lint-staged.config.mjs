// The pre-commit gate: checks only what is staged, so a one-file commit stays near a second.
// Every check here also runs over the whole tree in `npm test` and CI, which catch a bypassed hook.

// The type-aware ESLint rules need the whole program (seconds); the hook runs the fast set of the
// same policy (eslint.config.mjs), and `npm run lint` adds the type-aware rules before a merge.
process.env.ESLINT_FAST = '1';

export default {
  // --no-warn-ignored: a staged file the ESLint config ignores must not count as a warning and fail.
  '*.{ts,mts,cts,js,mjs,cjs}': 'eslint --max-warnings=0 --no-warn-ignored',
  '*': [
    // Every staged file, whatever its type: secrets hide in .env, JSON, keys and notes.
    // --no-gitignore: a file forced past .gitignore (`git add -f .env`) is still committed, so scan it.
    // --no-glob: staged names are paths, never patterns (a name like `src/(auth)/x.ts` must not match wider).
    'secretlint --no-glob --no-gitignore',
    // Check, not write: the hook never rewrites what the developer staged, and it is CI's check.
    'prettier --check --ignore-unknown',
  ],
};
