import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { requireStaff } from '../staff/guard';
import { closureBody, dayQuery, hoursBody, officeParam, officeServiceParams, staffIdParam } from './staff-schema';
import type { AppointmentStaffService } from './staff-service';

/**
 * Appointment operations under /api/admin/appointments: the day's list, check-in and no-show
 * for counter staff (admin, supervisor, clerk); opening hours and closures, read and write, for
 * admins and supervisors. Responses carry citizens only masked; reads that show
 * them are audited by the service.
 */
export function appointmentStaffRoutes(deps: { staffAppointments: AppointmentStaffService }) {
  const router = new Router<AppState>({ prefix: '/api/admin/appointments' });
  const counter = requireStaff('admin', 'supervisor', 'clerk');
  const manage = requireStaff('admin', 'supervisor');
  const svc = deps.staffAppointments;
  const staff = (ctx: Context & { state: AppState }) => ctx.state.staff!;
  const noStore = (ctx: Context) => ctx.set('Cache-Control', 'no-store');

  router.get('/offices', counter, async (ctx) => {
    ctx.body = { data: await svc.offices() };
  });

  router.get('/offices/:officeId/day', counter, async (ctx) => {
    const { officeId } = parseInput(officeParam, ctx.params);
    const { date } = parseInput(dayQuery, ctx.query);
    noStore(ctx);
    ctx.body = { data: await svc.day(staff(ctx), officeId, date) };
  });

  router.post('/:id/check-in', counter, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    ctx.body = { data: await svc.checkIn(staff(ctx), id) };
  });

  router.post('/:id/no-show', counter, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    ctx.body = { data: await svc.markNoShow(staff(ctx), id) };
  });

  router.get('/offices/:officeId/hours', manage, async (ctx) => {
    const { officeId } = parseInput(officeParam, ctx.params);
    ctx.body = { data: await svc.hours(officeId) };
  });

  router.put('/offices/:officeId/hours/:serviceId', manage, async (ctx) => {
    const { officeId, serviceId } = parseInput(officeServiceParams, ctx.params);
    const { rows } = parseInput(hoursBody, ctx.request.body, 'APPOINTMENT_HOURS_INVALID');
    ctx.body = { data: await svc.setHours(staff(ctx), officeId, serviceId, rows) };
  });

  router.get('/offices/:officeId/closures', manage, async (ctx) => {
    const { officeId } = parseInput(officeParam, ctx.params);
    noStore(ctx);
    ctx.body = { data: await svc.closures(staff(ctx), officeId) };
  });

  router.post('/offices/:officeId/closures', manage, async (ctx) => {
    const { officeId } = parseInput(officeParam, ctx.params);
    const body = parseInput(closureBody, ctx.request.body, 'APPOINTMENT_CLOSURE_INVALID');
    ctx.status = 201;
    ctx.body = { data: await svc.addClosure(staff(ctx), officeId, body) };
  });

  router.delete('/closures/:id', manage, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    await svc.removeClosure(staff(ctx), id);
    ctx.status = 204;
  });

  return router;
}
