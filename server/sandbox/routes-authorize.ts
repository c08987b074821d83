import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppState } from '../http/state';
import { renderAuthorizeError, renderConsent, renderPicker, type AuthorizeParams } from './authorize-page';
import type { SandboxCore } from './core';
import { PREFIX } from './endpoint';
import type { OAuthScope } from './oauth';
import { phoneUser, setPhoneUser } from './phone-cookie';
import type { SandboxUser } from './types';
import { OPENID_SHAPE, UserCreateError } from './users';
import { q, utf8Bytes } from './wire';

/**
 * `/connect/oauth2/authorize` (PROTOCOL §5.1): checks the parameters like WeChat (error pages
 * with its codes), identifies the user — `sandbox_user=<openid>` (created on first use), else
 * the phone emulator's cookie, else a picker page — asks for snsapi_userinfo consent where
 * WeChat would, and redirects to `redirect_uri?code=…&state=…` (no code when denied).
 *
 * Sandbox-only parameters: `sandbox_user`, `sandbox_consent` (allow | deny | ask),
 * `sandbox_snapshot=1` (a new user is a snapshot-mode visitor), `sandbox_new=1` +
 * `sandbox_nickname` (create a user with a fresh openid).
 */
const SCOPES = new Set<OAuthScope>(['snsapi_base', 'snsapi_userinfo']);
const PATH = '/connect/oauth2/authorize';

/** Add parameters to a URL without re-encoding what the portal put there. */
function withQuery(uri: string, params: Record<string, string>): string {
  const hashAt = uri.indexOf('#');
  const base = hashAt === -1 ? uri : uri.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : uri.slice(hashAt);
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${new URLSearchParams(params).toString()}${hash}`;
}

export function mountAuthorizeRoute(router: Router<AppState>, core: SandboxCore): void {
  const portal = new URL(core.publicBaseUrl);
  const accountName = core.config.accountName;

  router.get(PATH, async (ctx: Context) => {
    const delay = core.faults.decide(PATH).delayMs;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    ctx.set('Cache-Control', 'no-store');
    const page = (html: string) => {
      ctx.status = 200;
      ctx.type = 'html';
      ctx.body = html;
    };

    const params: AuthorizeParams = {
      appid: q(ctx, 'appid') ?? '',
      redirect_uri: q(ctx, 'redirect_uri') ?? '',
      response_type: q(ctx, 'response_type') ?? '',
      scope: q(ctx, 'scope') ?? '',
      state: q(ctx, 'state') ?? '',
    };
    if (!params.appid) return page(renderAuthorizeError('appid不能为空', 10012));
    if (params.appid !== core.config.wechat.appId) return page(renderAuthorizeError('appid参数错误', 40013));
    if (!params.redirect_uri) return page(renderAuthorizeError('redirect_uri不能为空', 10011));
    let redirect: URL | undefined;
    try {
      redirect = new URL(params.redirect_uri);
    } catch {
      redirect = undefined;
    }
    // The configured 网页授权域名 is the portal's host; nothing else may receive codes.
    if (!redirect || !['http:', 'https:'].includes(redirect.protocol) || redirect.host.toLowerCase() !== portal.host.toLowerCase()) {
      return page(renderAuthorizeError('redirect_uri域名与后台配置不一致', 10003));
    }
    if (!params.scope) return page(renderAuthorizeError('scope不能为空', 10010));
    if (!SCOPES.has(params.scope as OAuthScope)) return page(renderAuthorizeError('此公众号并没有这些scope的权限', 10005));
    if (params.response_type !== 'code') return page(renderAuthorizeError('response_type参数错误'));
    if (utf8Bytes(params.state) > 128) return page(renderAuthorizeError('state参数过长（最多128字节）'));
    const scope = params.scope as OAuthScope;

    // Who is it?
    let user: SandboxUser | undefined;
    const named = q(ctx, 'sandbox_user');
    const snapshot = q(ctx, 'sandbox_snapshot') === '1';
    const create = (openid?: string) => {
      try {
        return core.users.create({ openid, nickname: q(ctx, 'sandbox_nickname')?.slice(0, 32), snapshot });
      } catch (err) {
        if (err instanceof UserCreateError) return undefined;
        throw err;
      }
    };
    if (q(ctx, 'sandbox_new') === '1') {
      user = create();
      if (!user) return page(renderAuthorizeError('沙箱用户过多，请重置沙箱'));
    } else if (named) {
      if (!OPENID_SHAPE.test(named)) return page(renderAuthorizeError('sandbox_user 不是有效的 openid'));
      user = core.users.get(named) ?? create(named);
      if (!user) return page(renderAuthorizeError('沙箱用户过多，请重置沙箱'));
    } else {
      const held = phoneUser(ctx);
      user = held ? core.users.get(held) : undefined;
    }
    if (!user) {
      return page(renderPicker({ path: `${PREFIX}${PATH}`, params, users: core.users.list(), accountName, host: redirect.host }));
    }

    const consent = q(ctx, 'sandbox_consent');
    if (scope === 'snsapi_userinfo' && !user.snapshot) {
      // Declining returns to the page with the state and no code.
      if (consent === 'deny') return ctx.redirect(withQuery(params.redirect_uri, { state: params.state }));
      // Non-interactive with sandbox_user (unless the caller asks for the page); remembered once allowed.
      const allowed = consent === 'allow' || user.consented || (named !== undefined && consent === undefined);
      if (!allowed) return page(renderConsent({ path: `${PREFIX}${PATH}`, params, user, accountName }));
      user.consented = true;
    }

    setPhoneUser(ctx, user.openid);
    const code = core.oauth.issueCode({ openid: user.openid, scope, snapshot: user.snapshot });
    ctx.redirect(withQuery(params.redirect_uri, { code, state: params.state }));
  });
}
