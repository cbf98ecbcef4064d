/**
 * `npm run generate`: rewrites the blocks generated from code (security/gates/generated-files.ts);
 * `--check` writes nothing and exits 1 naming each file that differs.
 */
import { main } from '../security/gates/generated-files.ts';

// npm runs scripts from the package root.
process.exitCode = main(process.cwd(), process.argv.includes('--check'));
