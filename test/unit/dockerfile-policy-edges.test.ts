/**
 * The Dockerfile policy on Dockerfiles the template's own never is: bare `$ARG` references, FROM lines
 * with only a flag or a dangling AS, instructions with no arguments, an empty exec form, and several
 * findings on one line. The parser is dockerfile-ast, as in the policy itself.
 */
import { baseImages, checkDockerfile } from '../../security/dockerfile-policy.ts';

const PINNED = 'node:24-alpine@sha256:' + 'a'.repeat(64);
const TAIL = 'USER 10001\nHEALTHCHECK CMD ["node", "probe.js"]\nCMD ["node", "server.js"]\n';
const found = (text: string) =>
  checkDockerfile(text).map(({ rule, line, message }) => `${line} ${rule} ${message}`);

describe('checkDockerfile, the edges', () => {
  it('expands a bare $ARG like a braced one, and names one with no default', () => {
    expect(found(`ARG BASE=${PINNED}\nFROM $BASE\n${TAIL}`)).toEqual([]);
    expect(found(`ARG BASE\nFROM $BASE\n${TAIL}`)).toEqual([
      '2 base-pinned-by-digest FROM $BASE uses a build arg with no default: it cannot be verified',
    ]);
  });

  it('a FROM of flags only has no image to verify; a dangling AS names no stage', () => {
    expect(found(`FROM --platform=linux/amd64\n${TAIL}`)).toEqual([
      '1 base-pinned-by-digest FROM  is not pinned by sha256 digest',
    ]);
    expect(found(`FROM ${PINNED} AS\n${TAIL}`)).toEqual([]);
  });

  it('RUN and CMD with nothing after them: no downloader, and a CMD in no exec form', () => {
    expect(found(`FROM ${PINNED}\nRUN\nUSER 10001\nHEALTHCHECK CMD ["node", "probe.js"]\nCMD\n`)).toEqual([
      '5 cmd-exec-form-no-npm CMD is in shell form',
    ]);
  });

  it('an empty exec form runs no shell and no package manager', () => {
    expect(found(`FROM ${PINNED}\nUSER 10001\nHEALTHCHECK CMD ["node", "probe.js"]\nCMD []\n`)).toEqual([]);
  });

  it('a file of blank lines and one FROM: no syntax line to pin, the rest of the final stage missing', () => {
    expect(found(`\n\nFROM ${PINNED}\n`)).toEqual([
      '4 cmd-exec-form-no-npm the final stage sets neither CMD nor ENTRYPOINT',
      '4 healthcheck-exec-form the final stage has no HEALTHCHECK',
      '4 user-numeric-nonroot the final stage sets no USER (the base image user is not checked)',
    ]);
  });
});

describe('baseImages', () => {
  it('names each FROM’s image and stage, and skips a FROM with no image', () => {
    expect(baseImages(`FROM ${PINNED} AS build\nFROM --platform=linux/amd64\nFROM build\n`)).toEqual([
      { reference: PINNED, stage: 'build' },
      { reference: 'build', stage: undefined },
    ]);
  });
});
