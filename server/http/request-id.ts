import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../logger';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Every request gets an id: nginx's `$request_id` when we sit behind a trusted proxy and it
 * sent a sane one, otherwise a fresh UUID (a client must not choose ids that land in our logs). It is echoed in `X-Request-Id`, put in every log line (via a child logger on
 * ctx.state.log) and in error bodies, so a citizen's screenshot leads to the log.
 */
export function requestId(logger: Logger, trustProxy: boolean) {
  return async function assignRequestId(ctx: Context, next: Next) {
    const incoming = trustProxy ? ctx.get('x-request-id') : '';
    const id = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.state.log = logger.child({ reqId: id });
    ctx.set('X-Request-Id', id);
    await next();
  };
}
