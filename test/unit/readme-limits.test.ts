/**
 * Every figure in the README's Hardening section is the code's: the "Server limits" table row by row
 * against SERVER_LIMITS (and every limit has a row), and each figure in the prose against the constant
 * or behaviour it describes. A limit changed in the code without the README, or the reverse, fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { PROBE_TIMEOUT_MS } from '../../src/healthprobe.ts';
import { Lifecycle } from '../../src/lifecycle.ts';
import { createServer, SERVER_LIMITS } from '../../src/server.ts';
import { SERVED_WITHIN_MS } from '../reliability/raw-client.ts';
import { testConfig } from '../support/test-config.ts';
import { capturedLogger } from '../support/log-capture.ts';

// The Hardening section moved from the README to docs/hardening.md (the README links it).
const README = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'hardening.md'), 'utf8');
const hardening = /^## Hardening\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(README)?.[1] ?? '';

type LimitName = keyof typeof SERVER_LIMITS;

/** "10 s" → 10000 for a …Ms constant, "8 KiB" → 8192, "32" → 32. */
function valueOf(figure: string): number {
  const match = /^(\d+) ?(s|KiB)?$/.exec(figure.trim());
  if (match === null) throw new Error(`unreadable figure ${JSON.stringify(figure)}`);
  const scale = match[2] === 's' ? 1000 : match[2] === 'KiB' ? 1024 : 1;
  return Number(match[1]) * scale;
}

const rows = [...hardening.matchAll(/^\s*\| [^|]+\| `(\w+)`\s*\| ([^|]+)\|/gm)].map(([, name, figure]) => ({
  name: name as LimitName,
  figure: (figure ?? '').trim(),
}));

/** The table row, or the sentence of the prose, of the Hardening section that contains `marker`. */
function sentenceWith(marker: string): string {
  const lines = hardening.split('\n');
  const tableRows = lines.filter((line) => line.trim().startsWith('|'));
  const prose = lines
    .filter((line) => !line.trim().startsWith('|'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .split(/(?<=\.)\s/);
  const found = [...tableRows, ...prose].find((part) => part.includes(marker));
  if (found === undefined) throw new Error(`the Hardening section no longer says ${JSON.stringify(marker)}`);
  return found;
}

function figureIn(sentence: string, pattern: RegExp): number {
  const match = pattern.exec(sentence);
  if (match?.[1] === undefined) throw new Error(`no figure matching ${String(pattern)} in: ${sentence}`);
  return Number(match[1]);
}

describe('the README Server limits table', () => {
  it('has a row for every limit in SERVER_LIMITS', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map(({ name }) => name))).toEqual(new Set(Object.keys(SERVER_LIMITS)));
  });

  it.each(rows)('states $name as the code does ($figure)', ({ name, figure }) => {
    expect(name in SERVER_LIMITS).toBe(true);
    expect(valueOf(figure)).toBe(SERVER_LIMITS[name]);
  });
});

describe('the figures in the Hardening prose', () => {
  it("the idle close comes 1 s after the advertised keep-alive (Node's buffer), after load balancers' 60 s", () => {
    const sentence = sentenceWith("Node's buffer");
    const { logger } = capturedLogger('silent');
    const config = testConfig({ HOST: '127.0.0.1' });
    const service = createServer(createApp(config, logger), config, logger, new Lifecycle());
    expect(service.server.keepAliveTimeoutBuffer).toBe(figureIn(sentence, /closes (\d+) s later/) * 1000);
    expect(SERVER_LIMITS.keepAliveTimeoutMs).toBeGreaterThan(
      figureIn(sentence, /(\d+) s idle timeout/) * 1000,
    );
  });

  it('the ceiling leaves half of the open-file limit for everything else', () => {
    const nofile = figureIn(sentenceWith('open files'), /allows (\d+) open files/);
    expect(SERVER_LIMITS.maxConnections).toBeLessThanOrEqual(nofile / 2);
  });

  it('a client is served within the time the ceiling test allows', () => {
    expect(figureIn(sentenceWith('while the ceiling is held'), /within (\d+) s/) * 1000).toBe(
      SERVED_WITHIN_MS,
    );
  });

  it('the drain window is the one the server uses', () => {
    expect(figureIn(sentenceWith('drain window'), /for a (\d+) s drain window/) * 1000).toBe(
      SERVER_LIMITS.drainWindowMs,
    );
  });

  it('the health probe waits as long as the README says', () => {
    expect(figureIn(sentenceWith('dist/healthprobe.js'), /within (\d+) s/) * 1000).toBe(PROBE_TIMEOUT_MS);
  });

  it('a request id is kept at the longest length the README allows, and replaced one longer', async () => {
    const longest = figureIn(sentenceWith('X-Request-Id'), /1–(\d+) of/);
    const { logger } = capturedLogger('silent');
    const app = createApp(testConfig({}), logger);
    const kept = 'a'.repeat(longest);
    expect((await request(app).get('/healthcheck').set('X-Request-Id', kept)).headers['x-request-id']).toBe(
      kept,
    );
    const tooLong = `${kept}a`;
    expect(
      (await request(app).get('/healthcheck').set('X-Request-Id', tooLong)).headers['x-request-id'],
    ).not.toBe(tooLong);
  });
});
