import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { beaconBody } from '../http/body';
import { createRateLimiter } from '../http/rate-limit';
import { parseInput } from '../http/validate';
import type { AppState } from '../http/state';
import { BEACON_MAX_BYTES, beaconBatchSchema } from './schema';
import type { UsageService } from './service';

export function usageRoutes(deps: { usage: UsageService; eventsPerVisitPerMinute: number; now?: () => number }) {
  const router = new Router<AppState>();
  // Events per visit, and requests per client address (a CGNAT address carries many citizens).
  const perVisit = createRateLimiter({ limit: deps.eventsPerVisitPerMinute, windowMs: 60_000, now: deps.now });
  const perIp = createRateLimiter({ limit: deps.eventsPerVisitPerMinute * 10, windowMs: 60_000, now: deps.now });

  // Before the body is read: a flood costs a counter, not 64 KB of parsing.
  const limitAddress = async (ctx: Context, next: Next) => {
    perIp.hit(ctx.ip);
    await next();
  };

  router.post('/api/usage/events', limitAddress, beaconBody(`${BEACON_MAX_BYTES / 1024}kb`), (ctx) => {
    const batch = parseInput(beaconBatchSchema, ctx.request.body, 'USAGE_BATCH_INVALID');
    const perVisitCount = new Map<string, number>();
    for (const e of batch.events) perVisitCount.set(e.visitId, (perVisitCount.get(e.visitId) ?? 0) + 1);
    for (const [visitId, n] of perVisitCount) perVisit.hit(visitId, n);
    ctx.status = 202;
    ctx.body = { data: deps.usage.acceptBeacon(batch, { openid: ctx.state.citizen?.openid }) };
  });
  return router;
}
