import type { Context, Next } from 'koa';
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from './errors';
import { zodDetails } from './validate';

/** For errors thrown by middleware we do not own (http-errors): the generic code per status. */
const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Errors raised by Koa middleware (body parser, http-errors) carry a status we can map safely. */
function fromHttpError(err: { status?: number; statusCode?: number; type?: string; expose?: boolean }): AppError | undefined {
  const status = err.status ?? err.statusCode;
  if (status === 501) return new AppError('NOT_IMPLEMENTED');
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
  if (status === 400 && (err.type === 'entity.parse.failed' || /json/i.test(String((err as Error).message)))) return new AppError('INVALID_JSON');
  return new AppError(STATUS_CODES[status] ?? 'BAD_REQUEST');
}

/**
 * Turns anything thrown below into `{ error: { code, message, requestId } }`. Unknown errors
 * (including every database/drizzle error, whose messages hold SQL and parameters) become a
 * bare INTERNAL; the full error goes to the log, where redaction strips SQL and identifiers.
 */
export function errorHandler() {
  return async function handleErrors(ctx: Context, next: Next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('NOT_FOUND');
    } catch (raw) {
      let err: AppError;
      if (raw instanceof AppError) err = raw;
      else if (raw instanceof ZodError) err = new AppError('VALIDATION_FAILED', undefined, zodDetails(raw));
      else err = fromHttpError(raw as object) ?? new AppError('INTERNAL');

      if (err.status >= 500) ctx.state.log?.error({ err: raw }, 'request failed');
      else ctx.state.log?.debug({ errorCode: err.code }, 'request rejected');

      ctx.status = err.status;
      if (err.headers) ctx.set(err.headers);
      ctx.body = {
        error: {
          code: err.code,
          message: err.message,
          requestId: ctx.state.requestId,
          ...(err.details === undefined ? {} : { details: err.details }),
        },
      };
    }
  };
}
