import Router from '@koa/router';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import type { AuditReader } from './audit-query';
import type { StaffAuthService } from './auth-service';
import { requireStaff } from './guard';
import { STAFF_ROLES } from './roles';
import { auditQuery, changeOwnPasswordBody, createStaffBody, loginBody, resetPasswordBody, staffIdParam, updateStaffBody } from './schema';
import type { StaffService } from './service';
import { sessionInfoOf, staffCookieOptions } from './session-middleware';
import { STAFF_COOKIE } from './sessions';

/**
 * Staff sign-in, the signed-in member, account management (admin) and the audit log (admin,
 * supervisor). Every route but login declares its roles.
 */
export function staffRoutes(deps: { auth: StaffAuthService; staff: StaffService; auditReader: AuditReader; publicBaseUrl: string; sessionAbsoluteHours: number }) {
  const router = new Router<AppState>();
  const anyStaff = requireStaff(...STAFF_ROLES);
  const adminOnly = requireStaff('admin');

  router.post('/api/admin/login', async (ctx) => {
    const body = parseInput(loginBody, ctx.request.body);
    const { token, me } = await deps.auth.login(body, { ip: ctx.ip, userAgent: ctx.get('User-Agent') || undefined });
    ctx.cookies.set(STAFF_COOKIE, token, staffCookieOptions(ctx, deps.publicBaseUrl, deps.sessionAbsoluteHours * 3600_000));
    ctx.body = { data: me };
  });

  router.post('/api/admin/logout', anyStaff, async (ctx) => {
    await deps.auth.logout(ctx.state.staff!);
    ctx.cookies.set(STAFF_COOKIE, '', staffCookieOptions(ctx, deps.publicBaseUrl, 0));
    ctx.body = { data: { signedOut: true } };
  });

  router.get('/api/admin/me', anyStaff, async (ctx) => {
    const info = sessionInfoOf(ctx.state.staff!);
    if (!info) throw new AppError('UNAUTHENTICATED'); // staff set by something other than the session middleware
    ctx.body = { data: deps.auth.me(info) };
  });

  router.post('/api/admin/me/password', anyStaff, async (ctx) => {
    const body = parseInput(changeOwnPasswordBody, ctx.request.body);
    await deps.auth.changeOwnPassword(ctx.state.staff!, body.currentPassword, body.newPassword);
    ctx.cookies.set(STAFF_COOKIE, '', staffCookieOptions(ctx, deps.publicBaseUrl, 0));
    ctx.body = { data: { signedOut: true } };
  });

  /**
   * Colleagues a case can be assigned to (enabled admins, supervisors and clerks): names only, for
   * the assignment picker of supervisors and clerks, who may not read the account list.
   */
  router.get('/api/admin/staff-directory', requireStaff('admin', 'supervisor', 'clerk'), async (ctx) => {
    const all = await deps.staff.list();
    ctx.body = { data: all.filter((s) => !s.disabled && s.role !== 'evaluator').map((s) => ({ id: s.id, displayName: s.displayName, role: s.role })) };
  });

  router.get('/api/admin/staff', adminOnly, async (ctx) => {
    ctx.body = { data: await deps.staff.list() };
  });

  router.post('/api/admin/staff', adminOnly, async (ctx) => {
    const body = parseInput(createStaffBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = { data: await deps.staff.create({ staffId: ctx.state.staff!.id }, body) };
  });

  router.get('/api/admin/staff/:id', adminOnly, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    ctx.body = { data: await deps.staff.get(id) };
  });

  router.patch('/api/admin/staff/:id', adminOnly, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    const body = parseInput(updateStaffBody, ctx.request.body);
    ctx.body = { data: await deps.staff.update({ staffId: ctx.state.staff!.id }, id, body) };
  });

  router.post('/api/admin/staff/:id/disable', adminOnly, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    ctx.body = { data: await deps.staff.setDisabled({ staffId: ctx.state.staff!.id }, id, true) };
  });

  router.post('/api/admin/staff/:id/enable', adminOnly, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    ctx.body = { data: await deps.staff.setDisabled({ staffId: ctx.state.staff!.id }, id, false) };
  });

  router.post('/api/admin/staff/:id/password', adminOnly, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    const body = parseInput(resetPasswordBody, ctx.request.body);
    ctx.body = { data: await deps.staff.resetPassword({ staffId: ctx.state.staff!.id }, id, body.password) };
  });

  router.post('/api/admin/staff/:id/revoke-sessions', adminOnly, async (ctx) => {
    const { id } = parseInput(staffIdParam, ctx.params);
    ctx.body = { data: await deps.staff.revokeSessions({ staffId: ctx.state.staff!.id }, id) };
  });

  router.get('/api/admin/audit', requireStaff('admin', 'supervisor'), async (ctx) => {
    const q = parseInput(auditQuery, ctx.query);
    const { rows, page } = await deps.auditReader.list(q);
    ctx.body = { data: rows, page };
  });

  return router;
}
