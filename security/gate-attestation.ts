/**
 * Writes the gate-results attestation's predicate (security/attestation/gate-results.ts) for the publish
 * job to sign with `cosign attest`. Node runs this TypeScript directly (type stripping, Node >= 22.18).
 */
import { main } from './attestation/gate-results.ts';

process.exitCode = main(process.argv.slice(2), process.env, process.cwd());
