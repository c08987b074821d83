import type { Context, Next } from 'koa';

/**
 * One JSON line per request after it finishes. Only the path is logged, never the query
 * string: OAuth codes, push signatures and lookup inputs travel there.
 */
export function accessLog() {
  return async function logAccess(ctx: Context, next: Next) {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      ctx.state.log?.info(
        {
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(ms * 10) / 10,
          bytes: ctx.response.length,
          ip: ctx.ip,
        },
        'request',
      );
    }
  };
}
