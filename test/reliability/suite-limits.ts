/**
 * The limits the reliability suites hold the service to. `npm test` runs them with the time limits
 * scaled down (the same code: the service takes them as configuration, SERVER_LIMITS, which may only
 * tighten a limit), so the suite takes seconds where the real deadlines take a minute;
 * `npm run test:reliability` (RELIABILITY_LIMITS=real) runs them at the real values, as .ci/run does.
 */
import { SERVER_LIMITS } from '../../src/limits.ts';
import type { ServerLimits } from '../../src/limits.ts';

export const REAL_LIMITS = process.env.RELIABILITY_LIMITS === 'real';

// Each about a fifth of the real one, far enough apart that every deadline is still told from the next.
const SCALED = {
  headersTimeoutMs: 2_000,
  requestTimeoutMs: 3_000,
  connectionsCheckingIntervalMs: 250,
  keepAliveTimeoutMs: 5_000,
  writeStallTimeoutMs: 3_000,
} as const satisfies Partial<ServerLimits>;

/**
 * The scaled limits, with the suite's own scaled values of other limits (`scaled`, e.g. a lower
 * connection ceiling), and the env giving them; at the real values under RELIABILITY_LIMITS=real.
 */
export function limitsKeeping(scaled: Partial<ServerLimits> = {}): {
  limits: ServerLimits;
  env: Record<string, string>;
} {
  if (REAL_LIMITS) return { limits: SERVER_LIMITS, env: {} };
  const overrides = { ...SCALED, ...scaled };
  return {
    limits: Object.freeze({ ...SERVER_LIMITS, ...overrides }),
    env: { SERVER_LIMITS: JSON.stringify(overrides) },
  };
}

export const { limits: LIMITS, env: LIMITS_ENV } = limitsKeeping();

/** A request count: the real one, or a tenth of it in `npm test`. */
export const scaledCount = (real: number) => (REAL_LIMITS ? real : Math.round(real / 10));
