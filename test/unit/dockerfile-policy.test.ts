import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  baseImages,
  checkDockerfile,
  DOCKERFILE_RULES,
  formatFindings,
  type DockerfileRuleId,
} from '../../security/dockerfile-policy.ts';
import { pinnedBaseImages } from '../../security/gates/containers.ts';
import { readServiceDescription, serviceBuildArgs } from '../../security/gates/service-description.ts';
import { PINNED_BY_DIGEST } from '../../security/constants.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8');

const NODE_PIN =
  'node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d';
const DISTROLESS_PIN =
  'gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a';

/** Plants a defect by replacing text that must be there, so a mutation can never silently miss. */
function mutate(search: string | RegExp, replacement: string): string {
  const mutated = DOCKERFILE.replace(search, replacement);
  if (mutated === DOCKERFILE) throw new Error(`mutation found nothing to replace: ${String(search)}`);
  return mutated;
}

/** The npm-base stage's FROM through an ARG (with its default, when given) instead of the pinned image. */
function fromArgument(name: string, fallback?: string): string {
  const declaration = fallback === undefined ? `ARG ${name}` : `ARG ${name}=${fallback}`;
  return mutate(`FROM ${NODE_PIN} AS npm-base`, `${declaration}\nFROM \${${name}} AS npm-base`);
}

const rulesFound = (text: string): DockerfileRuleId[] => [
  ...new Set(checkDockerfile(text).map((finding) => finding.rule)),
];

const HEALTHCHECK_BLOCK = /HEALTHCHECK [^\n]*\\\n[^\n]*\n/;

describe('the Dockerfile policy checker', () => {
  it('finds nothing in the project Dockerfile', () => {
    expect(formatFindings('Dockerfile', checkDockerfile(DOCKERFILE))).toBe('');
  });

  // Each row plants one defect in the real Dockerfile and names the rules that must catch it.
  const plantedDefects: [string, string, DockerfileRuleId[]][] = [
    ['USER by name', mutate('USER 65532:65532', 'USER nonroot'), ['user-numeric-nonroot']],
    ['USER root by number', mutate('USER 65532:65532', 'USER 0'), ['user-numeric-nonroot']],
    ['USER with root group', mutate('USER 65532:65532', 'USER 65532:0'), ['user-numeric-nonroot']],
    ['no USER in the final stage', mutate('USER 65532:65532\n', ''), ['user-numeric-nonroot']],
    [
      'USER set only in an earlier stage',
      mutate('USER 65532:65532\n', '').replace('WORKDIR /app\n', 'WORKDIR /app\nUSER 65532:65532\n'),
      ['user-numeric-nonroot'],
    ],
    ['no HEALTHCHECK', mutate(HEALTHCHECK_BLOCK, ''), ['healthcheck-exec-form']],
    ['HEALTHCHECK NONE', mutate(HEALTHCHECK_BLOCK, 'HEALTHCHECK NONE\n'), ['healthcheck-exec-form']],
    [
      'HEALTHCHECK in shell form',
      mutate(HEALTHCHECK_BLOCK, 'HEALTHCHECK CMD /nodejs/bin/node /app/dist/healthprobe.js || exit 1\n'),
      ['healthcheck-exec-form'],
    ],
    ['FROM by tag only', mutate(NODE_PIN, 'node:24-bookworm-slim'), ['base-pinned-by-digest']],
    [
      'ARG default that is a tag, not a digest',
      fromArgument('BUILD_IMAGE', 'node:24-bookworm-slim'),
      ['base-pinned-by-digest'],
    ],
    ['ARG without a default used in FROM', fromArgument('BUILD_IMAGE'), ['base-pinned-by-digest']],
    [
      'the syntax frontend by tag',
      mutate(/^# syntax=\S+$/m, '# syntax=docker/dockerfile:1'),
      ['syntax-pinned-by-digest'],
    ],
    [
      'COPY --from an unpinned image',
      mutate('COPY package.json /app/package.json', 'COPY --from=busybox:1.36 /bin/busybox /bin/busybox'),
      ['base-pinned-by-digest'],
    ],
    ['FROM latest', mutate(NODE_PIN, 'node:latest'), ['base-pinned-by-digest']],
    ['FROM without a tag', mutate(NODE_PIN, 'node'), ['base-pinned-by-digest']],
    [
      'ARG default with latest',
      fromArgument('RUNTIME_IMAGE', 'gcr.io/distroless/nodejs24-debian12:latest'),
      ['base-pinned-by-digest'],
    ],
    [
      'curl in a RUN',
      mutate('RUN npm run build', 'RUN curl -fsSL https://example.invalid/x.sh | sh && npm run build'),
      ['no-curl-wget'],
    ],
    [
      'wget in a RUN',
      mutate('RUN npm run build', 'RUN wget -q https://example.invalid/x && npm run build'),
      ['no-curl-wget'],
    ],
    [
      'curl as the health probe',
      mutate(HEALTHCHECK_BLOCK, 'HEALTHCHECK CMD ["curl", "-f", "http://127.0.0.1:5000/healthcheck"]\n'),
      ['no-curl-wget'],
    ],
    [
      'CMD through npm',
      mutate('CMD ["/app/dist/main.js"]', 'CMD ["npm", "start"]'),
      ['cmd-exec-form-no-npm'],
    ],
    [
      'ENTRYPOINT through npm',
      mutate('ENTRYPOINT ["/nodejs/bin/node"]', 'ENTRYPOINT ["/usr/local/bin/npm", "run"]'),
      ['cmd-exec-form-no-npm'],
    ],
    [
      'CMD in shell form',
      mutate('CMD ["/app/dist/main.js"]', 'CMD node /app/dist/main.js'),
      ['cmd-exec-form-no-npm'],
    ],
    [
      'ENTRYPOINT through a shell',
      mutate('ENTRYPOINT ["/nodejs/bin/node"]', 'ENTRYPOINT ["/bin/sh", "-c"]'),
      ['cmd-exec-form-no-npm'],
    ],
    [
      'neither CMD nor ENTRYPOINT',
      mutate('ENTRYPOINT ["/nodejs/bin/node"]\nCMD ["/app/dist/main.js"]\n', ''),
      ['cmd-exec-form-no-npm'],
    ],
    [
      'a --platform flag before a base by tag',
      mutate(`FROM ${NODE_PIN} AS npm-base`, 'FROM --platform=linux/amd64 node:latest AS npm-base'),
      ['base-pinned-by-digest'],
    ],
    ['no FROM at all', 'RUN echo no base\n', ['base-pinned-by-digest']],
    [
      'CMD as a JSON list that is not all strings (Docker runs it through a shell)',
      mutate(/^CMD \[.*\]$/m, 'CMD ["dist/main.js", 1]'),
      ['cmd-exec-form-no-npm'],
    ],
  ];

  it.each(plantedDefects)('catches %s', (_defect, dockerfile, expectedRules) => {
    expect(rulesFound(dockerfile).sort()).toEqual([...expectedRules].sort());
  });

  it('has a planted defect for every rule', () => {
    const exercised = new Set(plantedDefects.flatMap(([, , rules]) => rules));
    expect([...exercised].sort()).toEqual(Object.keys(DOCKERFILE_RULES).sort());
  });

  it('reports the line of the instruction at fault', () => {
    const dockerfile = mutate('CMD ["/app/dist/main.js"]', 'CMD node /app/dist/main.js');
    const line = dockerfile.split('\n').findIndex((text) => text.startsWith('CMD ')) + 1;
    expect(checkDockerfile(dockerfile)).toEqual([
      { rule: 'cmd-exec-form-no-npm', line, message: 'CMD is in shell form' },
    ]);
  });
});

describe('the project Dockerfile', () => {
  const instructionLines = DOCKERFILE.replace(/\s*\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const finalStage = instructionLines.slice(
    instructionLines.findLastIndex((line) => line.startsWith('FROM ')),
  );

  it('pins the official Node build image and the distroless runtime by digest, with their tags', () => {
    expect(DOCKERFILE).toContain(`FROM ${NODE_PIN} AS `);
    expect(DOCKERFILE).toContain(`FROM ${DISTROLESS_PIN} AS `);
    expect(DOCKERFILE).toMatch(/Dependabot's docker ecosystem/);
  });

  it('names every base literally in its FROM line, so Checkov and Dependabot read it (no ARG)', () => {
    expect(instructionLines.filter((line) => line.startsWith('FROM '))).toEqual([
      `FROM ${NODE_PIN} AS npm-base`,
      'FROM npm-base AS build',
      `FROM ${DISTROLESS_PIN} AS code-cache`,
      `FROM ${DISTROLESS_PIN} AS runtime`,
    ]);
    const syntax = DOCKERFILE.split('\n')[0];
    expect(syntax).toMatch(/^# syntax=docker\/dockerfile:1@/);
    expect(syntax).toMatch(PINNED_BY_DIGEST);
  });

  it('installs with scripts off and builds the bundle; no dependency is installed for the runtime', () => {
    expect(DOCKERFILE).toMatch(/ENV HUSKY=0/);
    expect(instructionLines).toContain('RUN npm ci --ignore-scripts');
    expect(instructionLines).toContain('RUN npm run build');
    // The bundle holds the production dependencies (issue 18): an install for the runtime would ship
    // code that never runs, and Trivy reads the SBOM in dist/ instead.
    expect(DOCKERFILE).not.toMatch(/--omit=dev/);
  });

  it("makes the code cache with the runtime image's own Node, as its user, and fails on a rejected cache", () => {
    const stage = instructionLines.slice(
      instructionLines.findIndex((line) => line.endsWith(' AS code-cache')),
      instructionLines.findIndex((line) => line.endsWith(' AS runtime')),
    );
    expect(stage).toEqual([
      `FROM ${DISTROLESS_PIN} AS code-cache`,
      'COPY --from=build /app/dist /app/dist',
      'COPY scripts/code-cache.mjs /app/scripts/code-cache.mjs',
      'USER 65532',
      'RUN ["/nodejs/bin/node", "/app/scripts/code-cache.mjs", "make", "/app/dist", "/tmp/service.js.cache"]',
      'RUN ["/nodejs/bin/node", "/app/scripts/code-cache.mjs", "verify", "/app/dist", "/tmp/service.js.cache"]',
    ]);
  });

  it('ships only dist/ (the cache read-only, owned by root) and package.json to the runtime', () => {
    expect(finalStage.filter((line) => line.startsWith('COPY '))).toEqual([
      'COPY --from=build /app/dist /app/dist',
      'COPY --from=code-cache --chown=0:0 --chmod=0444 /tmp/service.js.cache /app/dist/service.js.cache',
      'COPY package.json /app/package.json',
    ]);
  });

  it('runs node on dist/main.js as 65532 in production mode, with a node health probe', () => {
    expect(finalStage).toEqual(
      expect.arrayContaining([
        'USER 65532:65532',
        'WORKDIR /app',
        'ENTRYPOINT ["/nodejs/bin/node"]',
        'CMD ["/app/dist/main.js"]',
        'HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/nodejs/bin/node", "/app/dist/healthprobe.js"]',
      ]),
    );
    expect(finalStage.join('\n')).toMatch(/ENV NODE_ENV=production /);
  });

  it('turns APP_VERSION, DESCRIPTION and LAST_COMMIT_SHA into environment and OCI labels', () => {
    const final = finalStage.join('\n');
    for (const name of ['APP_VERSION', 'DESCRIPTION', 'LAST_COMMIT_SHA']) {
      expect(final).toContain(`ARG ${name}=""`);
      expect(final).toContain(`${name}="\${${name}}"`);
    }
    for (const label of ['version', 'revision', 'description', 'source', 'licenses', 'title']) {
      expect(final).toContain(`org.opencontainers.image.${label}=`);
    }
  });
});

describe("the image's port: src/service.json's, through the SERVICE_PORT build arg", () => {
  const lines = DOCKERFILE.split('\n');
  const stageOf = (index: number) => lines.slice(0, index).findLast((line) => line.startsWith('FROM '));
  const checkIndex = lines.findIndex((line) => line.startsWith('RUN ') && line.includes('SERVICE_PORT'));
  const exposeIndex = lines.findIndex((line) => line.startsWith('EXPOSE '));
  const { port } = readServiceDescription(ROOT);

  /** Runs the build stage's check as `docker build` would, in a copy of the build context's src/. */
  function buildCheck(value: string | undefined) {
    const command = lines[checkIndex]?.replace(/^RUN /, '') ?? '';
    const env = { ...process.env, SERVICE_PORT: value };
    if (value === undefined) delete env.SERVICE_PORT;
    return spawnSync('sh', ['-c', command.replace(/^node /, `"${process.execPath}" `)], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
  }

  it('EXPOSEs only the build arg, in the runtime stage', () => {
    expect(lines.filter((line) => line.startsWith('EXPOSE '))).toEqual(['EXPOSE ${SERVICE_PORT}']);
    expect(stageOf(exposeIndex)).toMatch(/ AS runtime$/);
    expect(lines.slice(0, exposeIndex).findLast((line) => line.startsWith('ARG SERVICE_PORT'))).toBe(
      'ARG SERVICE_PORT',
    );
  });

  it('fails the build when the build arg is missing or is not the port src/service.json names', () => {
    expect(stageOf(checkIndex)).toMatch(/ AS build$/);
    expect(buildCheck(String(port)).status).toBe(0);
    const other = buildCheck(String(port + 1));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain(`pass --build-arg SERVICE_PORT=${port} (src/service.json)`);
    expect(buildCheck('').status).toBe(1);
  });

  it('is passed by every build the project runs: the gates, the container test and CI', () => {
    expect(serviceBuildArgs(readServiceDescription(ROOT))).toEqual({ SERVICE_PORT: String(port) });
    const workflow = readFileSync(join(ROOT, '.github', 'workflows', 'security-gates.yml'), 'utf8');
    expect(workflow).toMatch(/SERVICE_PORT=\$\{\{ steps\.meta\.outputs\.port \}\}/);
  });
});

describe('the .dockerignore', () => {
  const rules = DOCKERIGNORE.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

  it('ignores everything first, then re-includes only what the build reads', () => {
    expect(rules[0]).toBe('*');
    expect(rules.filter((rule) => rule.startsWith('!')).sort()).toEqual(
      [
        '!.npmrc',
        '!package-lock.json',
        '!package.json',
        '!scripts/build.mjs',
        '!scripts/code-cache.mjs',
        '!src/**/*.ts',
        '!src/service.json',
        '!tsconfig.build.json',
        '!tsconfig.json',
      ].sort(),
    );
  });

  it('re-includes every file the Dockerfile copies from the context', () => {
    const copied = DOCKERFILE.split('\n')
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    const included = rules.filter((rule) => rule.startsWith('!')).map((rule) => rule.slice(1));
    for (const source of copied) {
      expect(included.some((rule) => rule === source || rule.startsWith(source))).toBe(true);
    }
  });
});

describe('the base images the gate runner pulls and the container test builds on', () => {
  it('are the FROM references with their stage names, as written', () => {
    expect(baseImages(DOCKERFILE)).toEqual([
      { reference: NODE_PIN, stage: 'npm-base' },
      { reference: 'npm-base', stage: 'build' },
      { reference: DISTROLESS_PIN, stage: 'code-cache' },
      { reference: DISTROLESS_PIN, stage: 'runtime' },
    ]);
    expect(baseImages('ARG BASE=x\nFROM ${BASE} AS a\n')).toEqual([{ reference: '${BASE}', stage: 'a' }]);
  });

  it('skip a FROM flag and keep only what is pinned by digest for pulling', () => {
    const text = `FROM --platform=linux/amd64 ${NODE_PIN} AS one\nfrom one\nFROM node:24\n`;
    expect(baseImages(text)).toEqual([
      { reference: NODE_PIN, stage: 'one' },
      { reference: 'one', stage: undefined },
      { reference: 'node:24', stage: undefined },
    ]);
    expect(pinnedBaseImages(text)).toEqual([NODE_PIN]);
    expect(pinnedBaseImages(DOCKERFILE)).toEqual([NODE_PIN, DISTROLESS_PIN]);
  });
});
