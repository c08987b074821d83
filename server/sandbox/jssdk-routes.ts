import type Router from '@koa/router';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { jssdkSignature } from '../wechat/jssdk';
import type { SandboxCore } from './core';
import { JWEIXIN_STANDIN_JS } from './jssdk-standin';

/** What the stand-in's `wx.config` sends for checking (the page's config plus the URL WeChat checks). */
const verifyInput = z.object({
  appId: z.string().max(64),
  timestamp: z.string().max(16),
  nonceStr: z.string().max(64),
  signature: z.string().max(128),
  url: z.string().min(1).max(2048),
  jsApiList: z.array(z.string().max(64)).max(100).optional(),
});

export type JssdkVerdict = { errMsg: 'config:ok' } | { errMsg: string; realAuthUrl?: string[] };

/**
 * WeChat's own check of `wx.config` (done inside the client on a real phone): the URL must be
 * on the account's JS接口安全域名 (here: the portal's public origin), and the signature must be
 * SHA-1 over the *current* jsapi_ticket, so a ticket refreshed or expired since the page was
 * signed fails like it does on WeChat.
 */
export function verifyJssdkConfig(core: SandboxCore, input: z.infer<typeof verifyInput>): JssdkVerdict {
  let origin: string;
  try {
    origin = new URL(input.url).origin;
  } catch {
    return { errMsg: 'config:invalid url domain' };
  }
  if (origin !== new URL(core.publicBaseUrl).origin) return { errMsg: 'config:invalid url domain' };
  const ticket = core.tokens.currentTicket('jsapi');
  const invalid = { errMsg: 'config:invalid signature', realAuthUrl: [input.url] };
  if (!ticket || input.appId !== core.config.wechat.appId) return invalid;
  const expected = Buffer.from(jssdkSignature({ jsapiTicket: ticket, nonceStr: input.nonceStr, timestamp: input.timestamp, url: input.url }));
  const given = Buffer.from(input.signature.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected) ? { errMsg: 'config:ok' } : invalid;
}

/** `/sandbox/jweixin.js` (the stand-in script) and `/sandbox/api/jssdk/verify` (its config check). */
export function mountJssdkRoutes(router: Router<AppState>, core: SandboxCore): void {
  router.get('/jweixin.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = JWEIXIN_STANDIN_JS;
  });
  router.post('/api/jssdk/verify', (ctx) => {
    const input = parseInput(verifyInput, ctx.request.body);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: verifyJssdkConfig(core, input) };
  });
}
