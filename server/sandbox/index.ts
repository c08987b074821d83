import Router from '@koa/router';
import type { AppState } from '../http/state';
import { avatarSvg } from './avatar';
import { mountControlRoutes } from './control-routes';
import type { SandboxOptions } from './core';
import { endpoint, PREFIX } from './endpoint';
import { createPlatform, type SandboxPlatform } from './platform';
import { mountJssdkRoutes } from './jssdk-routes';
import { mountAuthorizeRoute } from './routes-authorize';
import { mountCgiRoutes } from './routes-cgi';
import { mountUserRoutes } from './routes-cgi-users';
import { mountSnsRoutes } from './routes-sns';
import { WxError } from './wire';

export type { SandboxOptions } from './core';
export type { SandboxPlatform, UserPatch } from './platform';
export type { MenuTap, QrVia } from './actions';
export type { FaultSettings, EndpointFault } from './faults';
export type { ChatEntry, PushOutcome, SandboxUser, TemplateCard } from './types';
export { SANDBOX_TEMPLATES, type SandboxTemplate } from './templates';
export { SNAPSHOT_VISITOR_OPENID } from './users';
export { PHONE_COOKIE } from './phone-cookie';

/**
 * The WeChat platform simulator (DESIGN §2 "WeChat modes"): one simulated platform per app
 * instance, state in memory. Its router serves, under `/sandbox`, WeChat's API paths
 * (`/cgi-bin/*`, `/sns/*`), the authorize page (`/connect/oauth2/authorize`), the control API
 * (`/api/*`) and generated avatars; `platform` drives simulated users and pushes.
 */
export function createSandbox(opts: SandboxOptions): { router: Router<AppState>; platform: SandboxPlatform } {
  const { core, messaging, platform } = createPlatform(opts);
  const router = new Router<AppState>({ prefix: PREFIX });

  mountCgiRoutes(router, core, messaging);
  mountUserRoutes(router, core);
  mountSnsRoutes(router, core);
  mountAuthorizeRoute(router, core);
  mountJssdkRoutes(router, core);
  mountControlRoutes(router, platform, { afterReset: opts.afterReset, portalCookies: opts.portalCookies ?? [] });

  router.get('/avatar/:spec/:size', (ctx) => {
    const svg = avatarSvg(String(ctx.params.spec), String(ctx.params.size));
    if (!svg) return;
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = svg;
  });

  // Any other WeChat API path: answered like an interface this account may not call.
  const notSimulated = endpoint(core, () => {
    throw new WxError(48001, 'hint: [not simulated by the sandbox]');
  });
  router.all('/cgi-bin/*rest', notSimulated);
  router.all('/sns/*rest', notSimulated);

  return { router, platform };
}
