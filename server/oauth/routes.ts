import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { SESSION_COOKIE, sessionCookieOptions } from '../citizens/sessions';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { safeReturnPath } from './return-path';
import type { OAuthService, PendingSignIn } from './service';
import { renderSignInError } from './error-page';

const PENDING_COOKIE = 'gp_oauth';

const startQuery = z.object({ return: z.string().max(1024).optional(), scope: z.enum(['base', 'userinfo']).default('base') });
const callbackQuery = z.object({ code: z.string().max(512).optional(), state: z.string().max(128).optional() });

function readPending(ctx: Context): PendingSignIn | undefined {
  const raw = ctx.cookies.get(PENDING_COOKIE, { signed: true });
  if (!raw) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PendingSignIn;
  } catch {
    return undefined;
  }
}

/**
 * WeChat web OAuth for the H5 pages. These are browser navigations, so failures render a
 * small page that explains and offers a retry instead of a JSON body.
 */
export function oauthRoutes(deps: { oauth: OAuthService; publicBaseUrl: string; sessionTtlHours: number }) {
  const router = new Router<AppState>();
  const secure = deps.publicBaseUrl.startsWith('https:');

  const asPage = async (ctx: Context, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      ctx.status = err.status;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = renderSignInError(err.message, ctx.state.requestId);
    }
  };

  router.get('/oauth/start', (ctx) =>
    asPage(ctx, () => {
      const q = parseInput(startQuery, ctx.query);
      const returnPath = safeReturnPath(q.return);
      const { pending, authorizeUrl } = deps.oauth.start(returnPath, q.scope, `${deps.publicBaseUrl}/oauth/callback`);
      ctx.cookies.set(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        signed: true,
        path: '/oauth',
        maxAge: 10 * 60 * 1000,
        overwrite: true,
      });
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(authorizeUrl);
    }),
  );

  router.get('/oauth/callback', (ctx) =>
    asPage(ctx, async () => {
      const q = parseInput(callbackQuery, ctx.query);
      if (!q.code) {
        // The citizen declined the consent page (snsapi_userinfo): WeChat returns without a code.
        throw new AppError('OAUTH_CODE_INVALID', '您取消了授权。需要授权后才能使用此服务，请返回重试。');
      }
      const result = await deps.oauth.complete({
        code: q.code,
        state: q.state ?? '',
        pending: readPending(ctx),
        hasLiveSession: Boolean(ctx.state.citizen || ctx.state.guest),
      });
      if (result.sessionToken) ctx.cookies.set(SESSION_COOKIE, result.sessionToken, sessionCookieOptions(secure, deps.sessionTtlHours));
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(result.returnPath);
    }),
  );
  return router;
}
