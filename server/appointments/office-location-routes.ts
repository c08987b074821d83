import Router from '@koa/router';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import type { OfficeLocationService } from './office-locations';
import { idParam } from './schema';

/** `GET /api/h5/offices/:id/location`: public catalogue data, no sign-in needed. */
export function officeLocationRoutes(deps: { officeLocations: OfficeLocationService }) {
  const router = new Router<AppState>();
  router.get('/api/h5/offices/:id/location', async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    ctx.body = { data: await deps.officeLocations.locate(id) };
  });
  return router;
}
