/**
 * `npm run gates`: the CI gates on a developer's machine, with the same policy files (see cli.ts).
 * Node runs this TypeScript directly (type stripping, Node >= 22.18): no compile step, no loader.
 */
import { main } from './cli.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
