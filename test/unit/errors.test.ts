import { ERROR_MESSAGES, errorBody, publicStatus } from '../../src/errors.ts';

describe('publicStatus', () => {
  it.each([
    [404, 404],
    [413, 413],
    [418, 400],
    [499, 400],
    [500, 500],
    [502, 500],
    [undefined, 500],
    ['404', 500],
    [200, 500],
  ])('maps %p to %p', (input, expected) => {
    expect(publicStatus(input)).toBe(expected);
  });
});

describe('errorBody', () => {
  it('carries a fixed message per status and the request id, nothing else', () => {
    expect(JSON.parse(errorBody(413, 'req-1'))).toEqual({
      error: { status: 413, code: 'payload_too_large', message: ERROR_MESSAGES[413], requestId: 'req-1' },
    });
  });

  it('omits the request id when there is none', () => {
    expect(JSON.parse(errorBody(400, undefined))).toEqual({
      error: { status: 400, code: 'bad_request', message: 'Bad request' },
    });
  });
});
