/** Job hygiene: a gate cannot fail silently, cannot hang, and runs on a runner that audits its egress. */

export const failsSilently = (value: unknown) => value !== undefined && value !== false;
