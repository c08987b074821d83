import type { Context } from 'koa';
import { PREFIX } from './endpoint';

/**
 * Who holds the simulated phone. Real WeChat knows the user inside its browser; the sandbox
 * remembers the emulator's chosen user in a cookie that only the sandbox's own pages read, so
 * the authorize step can be as silent as WeChat's.
 */
export const PHONE_COOKIE = 'sandbox_wechat_user';

export function setPhoneUser(ctx: Context, openid: string): void {
  ctx.cookies.set(PHONE_COOKIE, openid, { httpOnly: true, sameSite: 'lax', path: PREFIX, secure: ctx.secure, signed: false, overwrite: true });
}

export function phoneUser(ctx: Context): string | undefined {
  return ctx.cookies.get(PHONE_COOKIE, { signed: false }) || undefined;
}
