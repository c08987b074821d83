import type { Context, Next } from 'koa';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import type { StaffRole } from './roles';

/**
 * Route guard: every admin route declares the roles it allows. No staff session → 401
 * UNAUTHENTICATED; a session with another role → 403 FORBIDDEN. The session middleware
 * (server/staff) sets ctx.state.staff; this only reads it.
 */
export function requireStaff(...roles: [StaffRole, ...StaffRole[]]) {
  const allowed = new Set<StaffRole>(roles);
  const mustBeStaff = async function mustBeStaff(ctx: Context & { state: AppState }, next: Next) {
    const staff = ctx.state.staff;
    if (!staff) throw new AppError('UNAUTHENTICATED');
    if (!allowed.has(staff.role)) throw new AppError('FORBIDDEN');
    return next();
  };
  // Readable by the authorization-matrix test, which walks every /api/admin route.
  return Object.assign(mustBeStaff, { staffRoles: [...allowed] as readonly StaffRole[] });
}
