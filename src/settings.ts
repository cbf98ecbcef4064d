/**
 * The service's description (src/service.json): its name, default description, default port and the
 * runtime settings it reads. One file, read by the service (config.ts), the build's warm-up
 * (scripts/code-cache.mjs, through the bundle), the container test, the local gates, the CI ZAP jobs and
 * the deploy scripts, so a port or a setting is changed in one place. No imports: the health probe, the
 * gate runner and the container test load this module too (the last two through Node's type stripping).
 */

/** When a setting must be set: never (it has a default), always, or when NODE_ENV is production. */
export type Requirement = 'never' | 'always' | 'production';

export interface SettingDescription {
  readonly required: Requirement;
  /** A secret reaches a deployed service by reference only (docs/deploy.md), never as a value. */
  readonly secret: boolean;
  /**
   * What the build's warm-up, the container test and the scans run the image with when the setting is
   * required: a harmless value of the right shape, never a real one.
   */
  readonly standIn?: string;
}

export interface ServiceDescription {
  readonly name: string;
  readonly description: string;
  readonly port: number;
  readonly settings: Readonly<Record<string, SettingDescription>>;
}

/** Whether the service refuses to start without this setting, in an environment like `env`. */
export function isRequired(setting: SettingDescription, production: boolean): boolean {
  return setting.required === 'always' || (setting.required === 'production' && production);
}

/**
 * The environment that runs the service as in production where no real settings exist (the build's
 * warm-up, the container test, the scans): NODE_ENV=production and each required setting's stand-in.
 */
export function standInEnvironment(service: ServiceDescription): Record<string, string> {
  const env: Record<string, string> = { NODE_ENV: 'production' };
  for (const [name, setting] of Object.entries(service.settings)) {
    if (!isRequired(setting, true)) continue;
    if (setting.standIn === undefined) {
      throw new Error(`src/service.json: ${name} is required but has no standIn value`);
    }
    env[name] = setting.standIn;
  }
  return env;
}
