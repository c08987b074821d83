import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AppState } from '../http/state';
import type { SandboxCore } from './core';
import { checkCredentials, endpoint } from './endpoint';
import { OK, q, WxError } from './wire';

/** `/sns/*`: web OAuth code exchange, refresh, userinfo and token check (PROTOCOL §5.2–5.3). */
export function mountSnsRoutes(router: Router<AppState>, core: SandboxCore): void {
  const api = (handler: (ctx: Context) => unknown) => endpoint(core, handler);

  /** A live web token for this openid (41001/41009/40001/42001/40003). */
  const webGrant = (ctx: Context) => {
    const token = q(ctx, 'access_token');
    if (!token) throw new WxError(41001);
    const openid = q(ctx, 'openid');
    if (!openid) throw new WxError(41009);
    const grant = core.oauth.checkWebToken(token);
    if (grant.openid !== openid) throw new WxError(40003);
    return grant;
  };

  router.all(
    '/sns/oauth2/access_token',
    api((ctx) => {
      checkCredentials(core, q(ctx, 'appid'), q(ctx, 'secret'));
      const code = q(ctx, 'code');
      if (!code) throw new WxError(41008);
      if (q(ctx, 'grant_type') !== 'authorization_code') throw new WxError(40002);
      return core.oauth.exchange(code);
    }),
  );

  router.all(
    '/sns/oauth2/refresh_token',
    api((ctx) => {
      const appid = q(ctx, 'appid');
      if (!appid) throw new WxError(41002);
      if (appid !== core.config.wechat.appId) throw new WxError(40013);
      if (q(ctx, 'grant_type') !== 'refresh_token') throw new WxError(40002);
      const rt = q(ctx, 'refresh_token');
      if (!rt) throw new WxError(41003);
      return core.oauth.refresh(rt);
    }),
  );

  router.all(
    '/sns/userinfo',
    api((ctx) => {
      const grant = webGrant(ctx);
      if (grant.scope !== 'snsapi_userinfo') throw new WxError(48001, 'hint: [scope is snsapi_base]');
      const user = core.users.get(grant.openid);
      // Since 2021-10-20 gender and region are no longer given: 0 and empty strings.
      return {
        openid: grant.openid,
        nickname: user?.nickname ?? '微信用户',
        sex: 0,
        language: '',
        city: '',
        province: '',
        country: '',
        headimgurl: user?.headimgurl ?? '',
        privilege: [],
      };
    }),
  );

  router.all(
    '/sns/auth',
    api((ctx) => {
      webGrant(ctx);
      return OK;
    }),
  );
}
