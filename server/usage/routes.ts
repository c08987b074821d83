import Router from '@koa/router';
import { beaconBody } from '../http/body';
import { createRateLimiter } from '../http/rate-limit';
import { parseInput } from '../http/validate';
import type { AppState } from '../http/state';
import { BEACON_MAX_BYTES, beaconBatchSchema } from './schema';
import type { UsageService } from './service';

export function usageRoutes(deps: { usage: UsageService; ratePerMinute: number; now?: () => number }) {
  const router = new Router<AppState>();
  // Per client address and per visit: a CGNAT address carries many citizens, a visit one.
  const perIp = createRateLimiter({ limit: deps.ratePerMinute * 10, windowMs: 60_000, now: deps.now });
  const perVisit = createRateLimiter({ limit: deps.ratePerMinute, windowMs: 60_000, now: deps.now });

  router.post('/api/usage/events', beaconBody(`${BEACON_MAX_BYTES / 1024}kb`), (ctx) => {
    perIp.hit(ctx.ip);
    const batch = parseInput(beaconBatchSchema, ctx.request.body, 'USAGE_BATCH_INVALID');
    perVisit.hit(batch.events[0]!.visitId);
    const result = deps.usage.acceptBeacon(batch, { openid: ctx.state.citizen?.openid });
    ctx.status = 202;
    ctx.body = { data: result };
  });
  return router;
}
