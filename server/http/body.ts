import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import { AppError } from './errors';

/**
 * JSON bodies for the API, bounded. Paths in `ownParsers` read their body themselves (the
 * WeChat push reads raw XML, the beacon accepts text/plain with a smaller limit).
 */
export function jsonBody(limit: string, ownParsers: string[]) {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: limit, encoding: 'utf-8', onError: rethrow });
  return async function parseJsonBody(ctx: Context, next: Next) {
    if (ownParsers.some((p) => ctx.path === p || ctx.path.startsWith(`${p}/`))) return next();
    return parse(ctx, next);
  };
}

/**
 * navigator.sendBeacon posts a string as text/plain (a simple request: no CORS preflight);
 * this accepts that or application/json and parses JSON either way, within `limit`.
 */
export function beaconBody(limit: string) {
  const parse = bodyParser({
    enableTypes: ['json', 'text'],
    jsonLimit: limit,
    textLimit: limit,
    encoding: 'utf-8',
    onError: rethrow,
  });
  return async function parseBeaconBody(ctx: Context, next: Next) {
    const type = ctx.request.type.toLowerCase();
    if (type !== 'application/json' && type !== 'text/plain' && type !== '') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the events as application/json or text/plain.');
    await parse(ctx, async () => undefined);
    const body = ctx.request.body as unknown;
    if (typeof body === 'string') {
      try {
        ctx.request.body = body === '' ? {} : JSON.parse(body);
      } catch {
        throw new AppError('INVALID_JSON');
      }
    }
    return next();
  };
}

function rethrow(err: Error & { status?: number; type?: string }): never {
  if (err.status === 413 || err.type === 'entity.too.large') throw new AppError('PAYLOAD_TOO_LARGE');
  if (err.status === 415) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
  throw new AppError('INVALID_JSON');
}
