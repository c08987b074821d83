import Router from '@koa/router';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { requireStaff } from '../staff/guard';
import { idParam, listQuery } from './schema';
import type { NotificationAdminService } from './service';

/** The notification log for staff: who may read it, who may send a failed message again. */
export function notificationRoutes(deps: { notificationAdmin: NotificationAdminService }) {
  const router = new Router<AppState>();
  const svc = deps.notificationAdmin;

  router.get('/api/admin/notifications', requireStaff('admin', 'supervisor', 'clerk'), async (ctx) => {
    const q = parseInput(listQuery, ctx.query);
    const { items, page } = await svc.list(q);
    ctx.body = { data: items, page };
  });

  router.post('/api/admin/notifications/:id/retry', requireStaff('admin', 'supervisor'), async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    ctx.body = { data: await svc.retry(ctx.state.staff!, id) };
  });

  return router;
}
