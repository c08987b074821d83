import type { Context, Middleware } from 'koa';
import type { SandboxCore } from './core';
import { errorBody, q, sendWx, WxError } from './wire';

/**
 * One simulated API endpoint: injected latency and errors first (keyed by the path as on
 * WeChat, without `/sandbox`), then the handler; its return value is the JSON answer and a
 * thrown WxError the errcode answer, always with HTTP 200 like the platform.
 */
export const PREFIX = '/sandbox';

export function endpoint(core: SandboxCore, handler: (ctx: Context) => unknown): Middleware {
  return async (ctx) => {
    const key = ctx.path.startsWith(PREFIX) ? ctx.path.slice(PREFIX.length) : ctx.path;
    const fault = core.faults.decide(key);
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.error) {
      const body = errorBody(new WxError(fault.error.errcode), core.now());
      sendWx(ctx, fault.error.errmsg ? { ...body, errmsg: fault.error.errmsg } : body);
      return;
    }
    let body: unknown;
    try {
      body = await handler(ctx);
    } catch (err) {
      if (!(err instanceof WxError)) throw err;
      body = errorBody(err, core.now());
    }
    sendWx(ctx, body);
  };
}

/** The account's access_token from the query: 41001 missing, else the store's verdict. */
export function requireToken(core: SandboxCore, ctx: Context): void {
  const token = q(ctx, 'access_token');
  if (!token) throw new WxError(41001);
  core.tokens.check(token);
}

/** appid and secret as the token endpoints check them (missing → 41002/41004, wrong → 40013/40125). */
export function checkCredentials(core: SandboxCore, appid: string | undefined, secret: string | undefined): void {
  if (!appid) throw new WxError(41002);
  if (appid !== core.config.wechat.appId) throw new WxError(40013);
  if (!secret) throw new WxError(41004);
  if (secret !== core.config.wechat.appSecret) throw new WxError(40125);
}
