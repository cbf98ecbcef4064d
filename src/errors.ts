/**
 * The JSON error answers. Messages are fixed per status: nothing a caller sent and nothing internal
 * (an exception's message, a stack, a file path) ever reaches a response; those go to the log.
 */
export const ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  413: 'Request body too large',
  415: 'Unsupported media type',
  417: 'Expectation failed',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
});

const STATUS_CODES: Readonly<Record<number, string>> = Object.freeze({
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  417: 'expectation_failed',
  431: 'header_fields_too_large',
  500: 'internal_error',
  503: 'service_unavailable',
});

/** Any status we do not name is reported as the nearest class we do: 4xx as 400, 5xx as 500. */
export function publicStatus(status: unknown): number {
  if (typeof status === 'number' && status in ERROR_MESSAGES) return status;
  if (typeof status === 'number' && status >= 400 && status < 500) return 400;
  return 500;
}

export function errorBody(status: number, requestId: string | undefined): string {
  const known = publicStatus(status);
  return JSON.stringify({
    error: { status: known, code: STATUS_CODES[known], message: ERROR_MESSAGES[known], requestId },
  });
}
