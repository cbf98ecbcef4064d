/**
 * src/service.json as the tools read it: the container test, the local gates and the checks of the
 * Dockerfile and the workflows. They start the image as production does, on the port the service
 * listens on, with the stand-ins of the settings it requires, so none of them repeats a port or a
 * setting (a setting required in production, or a moved port, needs no edit here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { standInEnvironment, type ServiceDescription } from '../../src/settings.ts';

export const SERVICE_FILE = 'src/service.json';

export function readServiceDescription(root: string): ServiceDescription {
  const service = JSON.parse(readFileSync(join(root, SERVICE_FILE), 'utf8')) as ServiceDescription;
  if (!Number.isInteger(service.port) || service.port < 1 || service.port > 65535) {
    throw new Error(`${SERVICE_FILE}: port must be a whole number from 1 to 65535`);
  }
  return service;
}

/** The build args every build of the image passes: the Dockerfile EXPOSEs SERVICE_PORT and checks it. */
export function serviceBuildArgs(service: ServiceDescription): Record<string, string> {
  return { SERVICE_PORT: String(service.port) };
}

/** `-e NAME=value` for `docker run`/`podman run`: each required setting's stand-in, as production. */
export function standInArguments(service: ServiceDescription): string[] {
  return Object.entries(standInEnvironment(service)).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
}
