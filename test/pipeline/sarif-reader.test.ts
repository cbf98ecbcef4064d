import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log, Result, Run } from 'sarif';
import {
  isBlocking,
  isSuppressed,
  readSarifFindings,
  ruleOf,
  sarifFiles,
  sarifFindings,
} from '../../security/sarif-reader.mjs';

// The one SARIF reader, in process (the CI gate's tests run security/sarif-gate.mjs as a child process,
// where Jest cannot count it): where it finds a result's rule, which suppressions count, and what
// level and security-severity a finding gets.

const result = (extra: Partial<Result> = {}): Result => ({ message: { text: 'found' }, ...extra });
const log = (...runs: Run[]): Log => ({ version: '2.1.0', runs });

describe('ruleOf: a result finds its rule where the tool put it', () => {
  const run: Run = {
    tool: {
      driver: { name: 'driver', rules: [{ id: 'd0' }, { id: 'd1' }] },
      extensions: [
        { name: 'pack-a', guid: 'guid-a', rules: [{ id: 'a0' }] },
        { name: 'pack-b', guid: 'guid-b', rules: [{ id: 'b0' }, { id: 'b1' }] },
      ],
    },
  };

  test.each<[string, Result, string | undefined]>([
    ['the driver, by ruleIndex', result({ ruleIndex: 1 }), 'd1'],
    ['the driver, by rule.index', result({ rule: { index: 0 } }), 'd0'],
    [
      'an extension, by toolComponent.index',
      result({ rule: { index: 1, toolComponent: { index: 1 } } }),
      'b1',
    ],
    [
      'an extension, by toolComponent.guid',
      result({ rule: { index: 0, toolComponent: { guid: 'guid-a' } } }),
      'a0',
    ],
    [
      'an extension, by toolComponent.name',
      result({ rule: { index: 1, toolComponent: { name: 'pack-b' } } }),
      'b1',
    ],
    ['any component, by ruleId when there is no index', result({ ruleId: 'b0' }), 'b0'],
    ['any component, by rule.id', result({ rule: { id: 'a0' } }), 'a0'],
    ['by id when the index points past the rules', result({ ruleIndex: 9, ruleId: 'd0' }), 'd0'],
    [
      'nothing, for an unknown extension and no id',
      result({ rule: { index: 0, toolComponent: { name: 'nope' } } }),
      undefined,
    ],
    ['nothing, for an id no component has', result({ ruleId: 'missing' }), undefined],
    ['nothing, without index or id', result(), undefined],
  ])('%s', (_name, given, expected) => {
    expect(ruleOf(run, given)?.id).toBe(expected);
  });

  test('a run without a tool has no rules', () => {
    expect(ruleOf({} as Run, result({ ruleId: 'd0' }))).toBeUndefined();
  });
});

describe('isSuppressed', () => {
  test.each<[string, Result['suppressions'], boolean]>([
    ['no suppressions', undefined, false],
    ['an empty list', [], false],
    ['an accepted suppression', [{ kind: 'external', status: 'accepted' }], true],
    ['a suppression without a status (ESLint in source)', [{ kind: 'inSource' }], true],
    ['one under review', [{ kind: 'external', status: 'underReview' }], false],
    ['a rejected one', [{ kind: 'external', status: 'rejected' }], false],
    [
      'a rejected one beside an accepted one',
      [{ kind: 'external', status: 'rejected' }, { kind: 'inSource' }],
      true,
    ],
  ])('%s', (_name, suppressions, expected) => {
    expect(isSuppressed(result({ suppressions }))).toBe(expected);
  });
});

describe('sarifFindings', () => {
  test('refuses what is not a SARIF log', () => {
    expect(() => sarifFindings({} as Log)).toThrow('not a SARIF log');
    expect(() => sarifFindings(null as unknown as Log)).toThrow('not a SARIF log');
  });

  test('level from the result, else the rule default, else warning; severity as a number', () => {
    const findings = sarifFindings(
      log({
        tool: {
          driver: {
            name: 'scanner',
            rules: [
              {
                id: 'string-severity',
                defaultConfiguration: { level: 'error' },
                properties: { 'security-severity': '8.1' },
              },
              { id: 'number-severity', properties: { 'security-severity': 5 } },
              { id: 'bad-severity', properties: { 'security-severity': 'high' } },
            ],
          },
        },
        results: [
          result({
            ruleIndex: 0,
            locations: [
              { physicalLocation: { artifactLocation: { uri: 'src/a.ts' }, region: { startLine: 3 } } },
            ],
          }),
          result({ ruleIndex: 1, level: 'note' }),
          result({ ruleIndex: 2 }),
          result({ ruleIndex: 0, suppressions: [{ kind: 'inSource' }] }),
        ],
      }),
    );
    expect(findings).toMatchObject([
      {
        tool: 'scanner',
        ruleId: 'string-severity',
        level: 'error',
        securitySeverity: 8.1,
        message: 'found',
        file: 'src/a.ts',
        line: 3,
      },
      {
        tool: 'scanner',
        ruleId: 'number-severity',
        level: 'note',
        securitySeverity: 5,
        message: 'found',
        file: undefined,
        line: undefined,
      },
      {
        tool: 'scanner',
        ruleId: 'bad-severity',
        level: 'warning',
        securitySeverity: undefined,
        message: 'found',
        file: undefined,
        line: undefined,
      },
    ]);
  });

  test('names what it cannot find', () => {
    const [finding] = sarifFindings(
      log({ results: [{ message: {} }] } as unknown as Run, { tool: { driver: { name: 'empty' } } }),
    );
    expect(finding).toMatchObject({
      tool: 'unknown tool',
      ruleId: 'unknown-rule',
      level: 'warning',
      message: '',
    });
  });
});

describe('sarifFiles and readSarifFindings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sarif-reader-'));
    mkdirSync(join(dir, 'reports'));
    const one = log({
      tool: { driver: { name: 'one' } },
      results: [result({ ruleId: 'r', level: 'error' })],
    });
    writeFileSync(join(dir, 'reports', 'b.sarif'), JSON.stringify(one));
    writeFileSync(join(dir, 'reports', 'a.sarif'), JSON.stringify(log()));
    writeFileSync(join(dir, 'reports', 'notes.txt'), 'not a report');
    writeFileSync(join(dir, 'broken.sarif'), '{"runs": ');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a directory's .sarif files, sorted; a file is itself", () => {
    expect(sarifFiles(join(dir, 'reports'))).toEqual([
      join(dir, 'reports', 'a.sarif'),
      join(dir, 'reports', 'b.sarif'),
    ]);
    expect(sarifFiles(join(dir, 'broken.sarif'))).toEqual([join(dir, 'broken.sarif')]);
    expect(() => sarifFiles(join(dir, 'absent'))).toThrow('ENOENT');
  });

  test('reads a file, and throws on one that is not JSON', () => {
    expect(readSarifFindings(join(dir, 'reports', 'b.sarif')).map((finding) => finding.ruleId)).toEqual([
      'r',
    ]);
    expect(readSarifFindings(join(dir, 'reports', 'a.sarif'))).toEqual([]);
    expect(() => readSarifFindings(join(dir, 'broken.sarif'))).toThrow(SyntaxError);
  });
});

describe('isBlocking', () => {
  const finding = (level: string, securitySeverity: number | undefined) => ({
    tool: 't',
    ruleId: 'r',
    level,
    securitySeverity,
    message: '',
    file: undefined,
    line: undefined,
    result: result(),
  });
  const failLevels = new Set(['error']);

  test.each<[string, number | undefined, number | undefined, boolean]>([
    ['error', undefined, undefined, true],
    ['warning', undefined, undefined, false],
    ['warning', 9.8, undefined, false],
    ['warning', 7, 7, true],
    ['warning', 6.9, 7, false],
    ['note', undefined, 7, false],
  ])('level %s, severity %s, threshold %s: %s', (level, severity, minSecuritySeverity, expected) => {
    expect(isBlocking(finding(level, severity), { failLevels, minSecuritySeverity })).toBe(expected);
  });
});
