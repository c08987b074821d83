import Router from '@koa/router';
import { requireCitizen } from '../citizens/require-citizen';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { bookBody, idParam, officesQuery, slotDaysQuery, slotsQuery } from './schema';
import type { AppointmentService } from './service';

/**
 * Appointment booking for the H5 pages. The catalogue (services, offices, slots) carries no
 * personal data; bookings are the signed-in citizen's own only (404 for anyone else's).
 */
export function appointmentRoutes(deps: { appointments: AppointmentService }) {
  const router = new Router<AppState>();
  const mustBeCitizen = requireCitizen();
  const svc = deps.appointments;

  router.get('/api/h5/appointment-services', async (ctx) => {
    ctx.body = { data: await svc.listServices() };
  });

  router.get('/api/h5/offices', async (ctx) => {
    const q = parseInput(officesQuery, ctx.query);
    ctx.body = { data: await svc.listOffices(q.service) };
  });

  router.get('/api/h5/slots', async (ctx) => {
    const q = parseInput(slotsQuery, ctx.query);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: await svc.listSlots(q.office, q.service, q.date) };
  });

  router.get('/api/h5/slot-days', async (ctx) => {
    const q = parseInput(slotDaysQuery, ctx.query);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: await svc.slotDays(q.office, q.service, q.from, q.to) };
  });

  router.post('/api/h5/appointments', mustBeCitizen, async (ctx) => {
    const body = parseInput(bookBody, ctx.request.body);
    const data = await svc.book(ctx.state.citizen!, body.slotId);
    ctx.status = 201;
    ctx.body = { data };
  });

  router.get('/api/h5/appointments', mustBeCitizen, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: await svc.list(ctx.state.citizen!) };
  });

  router.get('/api/h5/appointments/:id', mustBeCitizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: await svc.get(ctx.state.citizen!, id) };
  });

  router.post('/api/h5/appointments/:id/cancel', mustBeCitizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    ctx.body = { data: await svc.cancel(ctx.state.citizen!, id) };
  });

  router.post('/api/h5/appointments/:id/reschedule', mustBeCitizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const body = parseInput(bookBody, ctx.request.body);
    ctx.body = { data: await svc.reschedule(ctx.state.citizen!, id, body.slotId) };
  });

  router.get('/api/h5/appointments/:id/ics', mustBeCitizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const file = await svc.ics(ctx.state.citizen!, id);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="${file.filename}"`);
    ctx.type = 'text/calendar; charset=utf-8';
    ctx.body = file.body;
  });

  return router;
}
