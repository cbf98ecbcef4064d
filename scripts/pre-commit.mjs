// The pre-commit hook in one Node process: the Node-line guard, then lint-staged, which runs what
// lint-staged.config.mjs maps to the staged files (our checks as in-process function tasks; a shell
// command a template user adds runs as lint-staged always runs it).
//
// Nothing but the guard is imported before it has run: on another Node line (the machine's own Node when
// node_modules/.bin/node is missing) the hook must stop with its one line, not with a stack trace from a
// module that Node cannot load. For the same reason this file parses on old Nodes (no top-level await).
import { execFile } from 'node:child_process';
import * as nodeModule from 'node:module';
import { nodeLineProblem } from './node-line-guard.mjs';

/**
 * Whether a staged file also has unstaged changes (`git add -p`, or an edit after `git add`).
 * lint-staged 16 without its backup stash (`stash: false`) is safe only when there is none:
 * - it hides such unstaged changes while the tasks run (`git checkout --force` after saving them to
 *   .git/lint-staged_unstaged.patch), and when a task fails it does not put them back (state.js,
 *   restoreUnstagedChangesSkipped on a TaskError; only the stash's revert would): the developer's
 *   unstaged edits vanish from the working tree;
 * - with the hiding turned off as well (`hidePartiallyStaged: false`), it `git add`s every matched file
 *   after the tasks (gitWorkflow.js, applyModifications, run whenever there is no backup), which would
 *   commit the unstaged changes unchecked.
 * Our checks read the index and write nothing, so the stash guards nothing else: it is kept for the
 * commits that have partially staged files, and skipped with the hiding (seven git calls fewer) for all
 * the others.
 */
function hasPartiallyStagedFiles() {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['status', '--porcelain=v1', '-z', '--untracked-files=no', '--no-renames'],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (error, stdout) => {
        if (error) return reject(error);
        // Each entry is `XY path`: X the staged change, Y the unstaged one (lint-staged's own test,
        // gitWorkflow.js getUnstagedFiles with onlyPartial).
        resolve(stdout.split('\0').some((entry) => /^[^ ?][^ ?] /.test(entry)));
      },
    );
  });
}

async function runHook() {
  // Node keeps the compiled code of lint-staged, secretlint, Prettier and these scripts in its cache
  // directory between commits (about a third of their load time here). Node 20 has none.
  if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache();
  const [{ default: lintStaged }, partiallyStaged] = await Promise.all([
    import('lint-staged'),
    hasPartiallyStagedFiles(),
    // lint-staged reads its config only after three git calls. Importing it now starts loading the
    // checks' tools (scripts/staged-checks.mjs) while those calls run; lint-staged then finds the module
    // loaded. A config elsewhere, or a broken one, is left to lint-staged to find and report.
    import('../lint-staged.config.mjs').catch(() => undefined),
  ]);
  const passed = await lintStaged({
    // lint-staged's default (ACMR) leaves out type changes (T): a symlink replaced by a regular file holding
    // a key would be committed unscanned.
    diffFilter: 'ACMRT',
    stash: partiallyStaged,
    // Without partially staged files there is nothing to hide: lint-staged's `git status` is skipped, and
    // the `git add` it runs after the tasks adds back exactly what is staged.
    hidePartiallyStaged: partiallyStaged,
    // lint-staged's own progress lines cost a renderer and say nothing a failing check does not: each of
    // our checks prints its findings, and a failing command of yours still has its output printed.
    quiet: true,
  });
  if (!passed) {
    console.error('pre-commit: commit refused. Fix the staged files, git add them, and commit again.');
    process.exitCode = 1;
  }
}

const problem = nodeLineProblem();
if (problem !== undefined) {
  console.error(problem);
  process.exit(1);
}
runHook().catch((error) => {
  // A broken lint-staged config or a git failure: fail closed, with the reason.
  console.error(`pre-commit: the checks could not run: ${error && error.stack ? error.stack : error}`);
  process.exitCode = 1;
});
