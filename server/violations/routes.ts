import Router from '@koa/router';
import { z } from 'zod';
import { requireCitizen } from '../citizens/require-citizen';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { bindBody, idParam, lookupQuery } from './schema';
import type { ViolationService } from './service';

const lookupWithVehicle = lookupQuery.extend({ vehicleId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional() });

/** Violation lookup, bound vehicles and licence points for the signed-in citizen (their own data only). */
export function violationRoutes(deps: { violations: ViolationService }) {
  const router = new Router<AppState>();
  const mustBeCitizen = requireCitizen();

  router.get('/api/h5/vehicles', mustBeCitizen, async (ctx) => {
    ctx.body = { data: await deps.violations.listVehicles(ctx.state.citizen!) };
  });

  router.post('/api/h5/vehicles', mustBeCitizen, async (ctx) => {
    const body = parseInput(bindBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = { data: await deps.violations.bindVehicle(ctx.state.citizen!, body) };
  });

  router.delete('/api/h5/vehicles/:id', mustBeCitizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    await deps.violations.unbindVehicle(ctx.state.citizen!, id);
    ctx.status = 204;
  });

  router.get('/api/h5/violations', mustBeCitizen, async (ctx) => {
    const q = parseInput(lookupWithVehicle, ctx.query);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: await deps.violations.lookup(ctx.state.citizen!, q) };
  });

  router.get('/api/h5/licence', mustBeCitizen, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: await deps.violations.licence(ctx.state.citizen!) };
  });

  return router;
}
