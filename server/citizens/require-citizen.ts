import type { Context, Next } from 'koa';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';

/**
 * Guard for H5 APIs that need a signed-in citizen. Without a session the answer is 401
 * CITIZEN_AUTH_REQUIRED with the URL that starts OAuth and comes back to the page the call was
 * made from (the Referer, when it is one of our H5 pages).
 */
export function requireCitizen(opts: { allowGuest?: boolean } = {}) {
  return async function mustBeCitizen(ctx: Context & { state: AppState }, next: Next) {
    if (ctx.state.citizen || (opts.allowGuest && ctx.state.guest)) return next();
    let back = '/h5/';
    try {
      const ref = new URL(ctx.get('referer'));
      if (ref.host === ctx.host && ref.pathname.startsWith('/h5/')) back = `${ref.pathname}${ref.search}`;
    } catch {
      /* no usable referer */
    }
    throw new AppError('CITIZEN_AUTH_REQUIRED', undefined, { authUrl: `/oauth/start?return=${encodeURIComponent(back)}&scope=base` });
  };
}
