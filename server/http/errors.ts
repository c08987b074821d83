/**
 * The one error table. Every error a client can see has a SCREAMING_SNAKE code (domain first),
 * an HTTP status and a default message written for the person who will read it. Areas add their
 * codes here so the whole contract is visible in one place.
 */
export const ERRORS = {
  // generic request problems
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, message: 'The request could not be understood.' },
  UNAUTHENTICATED: { status: 401, message: 'Please sign in.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body has an unsupported content type.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; please wait a moment and try again.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side. Please try again later.' },
  NOT_IMPLEMENTED: { status: 501, message: 'This method is not supported.' },
  /** also what nginx answers (nginx.conf) when no app instance responds */
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable. Please try again shortly.' },
  NOT_READY: { status: 503, message: 'The service is not ready.' },
  // usage
  USAGE_BATCH_INVALID: { status: 400, message: 'The usage event batch is not valid.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    /** safe, client-facing details (e.g. which fields failed); never internals */
    readonly details?: unknown,
    /** extra response headers, e.g. Retry-After */
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
