/**
 * The README's Configuration table states the service's own figures: each variable the service reads
 * has a row, and the defaults that come from src/service.json (the port, the description) are its
 * values, so a moved port or a new default cannot leave the README behind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE } from '../../src/config.ts';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const section = /^## Configuration\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(README)?.[1] ?? '';
const rows = new Map(
  [...section.matchAll(/^\| `(\w+)`\s*\| ([^|]+)\|/gm)].map(([, name, value]) => [
    name,
    (value ?? '').trim(),
  ]),
);

test('every setting src/service.json declares, and the platform and build variables, have a row', () => {
  for (const name of [
    'PORT',
    'HOST',
    'APP_VERSION',
    'DESCRIPTION',
    'LAST_COMMIT_SHA',
    ...Object.keys(SERVICE.settings),
  ])
    expect([name, rows.has(name)]).toEqual([name, true]);
});

test("the port and the description default to src/service.json's values", () => {
  expect(rows.get('PORT')).toBe(`\`${SERVICE.port}\``);
  expect(rows.get('DESCRIPTION')).toBe(`\`${SERVICE.description}\``);
});

test("the README's commands use the service's port", () => {
  const ports = [...README.matchAll(/localhost:(\d+)/g)].map(([, port]) => Number(port));
  expect(ports.length).toBeGreaterThan(0);
  expect(new Set(ports)).toEqual(new Set([SERVICE.port]));
});
