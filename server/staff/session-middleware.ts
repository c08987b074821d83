import { timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import type { StaffPrincipal } from './roles';
import { STAFF_COOKIE, STAFF_COOKIE_PATH, type StaffSessionInfo, type StaffSessionStore } from './sessions';

export const CSRF_HEADER = 'x-csrf-token';
/** Writes that need no session (and so no CSRF token): signing in. */
const CSRF_EXEMPT = new Set(['/api/admin/login']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Session details for the principal on ctx.state.staff (for /me), without widening AppState. */
const sessionInfo = new WeakMap<StaffPrincipal, StaffSessionInfo>();
export const sessionInfoOf = (principal: StaffPrincipal) => sessionInfo.get(principal);

export function staffCookieOptions(ctx: Context, publicBaseUrl: string, maxAgeMs: number) {
  // Behind a TLS terminator the hop to us is plain HTTP; the public URL says what browsers see.
  if (publicBaseUrl.startsWith('https:')) ctx.cookies.secure = true;
  return { httpOnly: true, sameSite: 'strict' as const, secure: ctx.cookies.secure ?? ctx.secure, path: STAFF_COOKIE_PATH, maxAge: maxAgeMs, overwrite: true, signed: false };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * For /api/admin requests: refuses cross-site writes (Origin), puts the staff member on
 * ctx.state.staff when the cookie names a live session, and requires the session's CSRF token in
 * X-CSRF-Token on every write except sign-in. A write without a session falls through to the
 * route's requireStaff, which answers 401.
 */
export function staffSession(deps: { sessions: StaffSessionStore; publicBaseUrl: string }) {
  const publicOrigin = new URL(deps.publicBaseUrl).origin;
  return async function loadStaffSession(ctx: Context & { state: AppState }, next: Next) {
    if (ctx.path !== '/api/admin' && !ctx.path.startsWith('/api/admin/')) return next();
    const write = !SAFE_METHODS.has(ctx.method);

    if (write) {
      const origin = ctx.get('Origin');
      // Browsers send Origin on every cross-site write; a missing one (curl, tests) is left to the CSRF token.
      // (Koa 3's ctx.origin echoes the Origin header, so this request's own origin is built here.)
      const own = `${ctx.protocol}://${ctx.host}`;
      if (origin && origin !== own && origin !== publicOrigin) throw new AppError('STAFF_ORIGIN_REJECTED');
      if (!origin && ctx.get('Sec-Fetch-Site') === 'cross-site') throw new AppError('STAFF_ORIGIN_REJECTED');
    }

    const token = ctx.cookies.get(STAFF_COOKIE);
    if (token) {
      const info = await deps.sessions.resolve(token);
      if (info) {
        ctx.state.staff = info.principal;
        sessionInfo.set(info.principal, info);
        if (write && !CSRF_EXEMPT.has(ctx.path)) {
          const sent = ctx.get(CSRF_HEADER);
          if (!sent || !sameToken(sent, info.csrfToken)) throw new AppError('STAFF_CSRF_INVALID');
        }
      } else {
        // Expired or revoked: drop the dead cookie so the browser stops sending it.
        ctx.cookies.set(STAFF_COOKIE, '', { path: STAFF_COOKIE_PATH, maxAge: 0, httpOnly: true, sameSite: 'strict', overwrite: true });
      }
    }
    await next();
  };
}
