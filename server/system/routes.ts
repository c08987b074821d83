import Router from '@koa/router';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import type { SystemService } from './service';

export interface PortalMeta {
  agencyName: string;
  accountName: string;
  wechatMode: 'sandbox' | 'live';
  version: string;
}

export function systemRoutes(deps: { system: SystemService; meta: PortalMeta }) {
  const router = new Router<AppState>();

  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: deps.system.health() };
  });

  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const r = await deps.system.readiness();
    if (!r.ready) {
      throw new AppError('NOT_READY', r.checks.accepting === 'draining' ? 'The service is shutting down.' : 'The service is not ready.', {
        checks: r.checks,
        usage: r.usage,
      });
    }
    ctx.body = { data: { status: 'ready', checks: r.checks, usage: r.usage } };
  });

  router.get('/api/meta', (ctx) => {
    ctx.body = { data: deps.meta };
  });
  return router;
}
