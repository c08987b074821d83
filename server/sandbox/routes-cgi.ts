import type Router from '@koa/router';
import type { AppState } from '../http/state';
import type { SandboxCore } from './core';
import { checkCredentials, endpoint, requireToken } from './endpoint';
import { validateMatchRule, validateMenu } from './menu-rules';
import type { Messaging } from './messaging';
import { withSubArrays } from './menus';
import { OK, q, readWxJson, str, WxError } from './wire';

/** `/cgi-bin/*`: access token, menus, JS-SDK ticket, template and customer-service messages. */
export function mountCgiRoutes(router: Router<AppState>, core: SandboxCore, messaging: Messaging): void {
  const api = (handler: Parameters<typeof endpoint>[1]) => endpoint(core, handler);

  router.all(
    '/cgi-bin/token',
    api((ctx) => {
      if (q(ctx, 'grant_type') !== 'client_credential') throw new WxError(40002);
      checkCredentials(core, q(ctx, 'appid'), q(ctx, 'secret'));
      return core.tokens.issueClassic();
    }),
  );

  router.all(
    '/cgi-bin/stable_token',
    api(async (ctx) => {
      const body = await readWxJson(ctx);
      if (body.grant_type !== 'client_credential') throw new WxError(40002);
      checkCredentials(core, str(body.appid), str(body.secret));
      return core.tokens.stable(body.force_refresh === true || body.force_refresh === 'true');
    }),
  );

  // --- custom menu (PROTOCOL §4)
  router.all(
    '/cgi-bin/menu/create',
    api(async (ctx) => {
      requireToken(core, ctx);
      core.menus.create(validateMenu(await readWxJson(ctx)));
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/menu/get',
    api((ctx) => {
      requireToken(core, ctx);
      const menu = core.menus.get();
      if (!menu) throw new WxError(46003);
      return menu;
    }),
  );
  router.all(
    '/cgi-bin/menu/delete',
    api((ctx) => {
      requireToken(core, ctx);
      core.menus.remove();
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/get_current_selfmenu_info',
    api((ctx) => {
      requireToken(core, ctx);
      return core.menus.selfmenuInfo();
    }),
  );
  router.all(
    '/cgi-bin/menu/addconditional',
    api(async (ctx) => {
      requireToken(core, ctx);
      const body = await readWxJson(ctx);
      const button = validateMenu(body);
      const rule = validateMatchRule(body.matchrule, (id) => core.tags.has(id));
      return { menuid: String(core.menus.addConditional(button, rule)) };
    }),
  );
  router.all(
    '/cgi-bin/menu/delconditional',
    api(async (ctx) => {
      requireToken(core, ctx);
      const menuid = str((await readWxJson(ctx)).menuid);
      if (!menuid) throw new WxError(65301);
      core.menus.removeConditional(menuid);
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/menu/trymatch',
    api(async (ctx) => {
      requireToken(core, ctx);
      const userId = str((await readWxJson(ctx)).user_id);
      const user = userId ? core.users.get(userId) : undefined;
      if (!user || user.snapshot) throw new WxError(65302);
      const menu = core.menus.match(user);
      if (!menu) throw new WxError(46003);
      return { button: menu.button.map(withSubArrays) };
    }),
  );

  // --- JS-SDK (PROTOCOL §6)
  router.all(
    '/cgi-bin/ticket/getticket',
    api((ctx) => {
      requireToken(core, ctx);
      const type = q(ctx, 'type');
      if (type !== 'jsapi' && type !== 'wx_card') throw new WxError(40097, 'hint: [type must be jsapi or wx_card]');
      return { ...OK, ...core.tokens.jsapiTicket(type) };
    }),
  );

  // --- template messages (PROTOCOL §7)
  router.all(
    '/cgi-bin/message/template/send',
    api(async (ctx) => {
      requireToken(core, ctx);
      const { msgid } = messaging.sendTemplate(await readWxJson(ctx));
      return { ...OK, msgid: BigInt(msgid) };
    }),
  );
  router.all(
    '/cgi-bin/template/get_all_private_template',
    api((ctx) => {
      requireToken(core, ctx);
      return { template_list: core.templates.list() };
    }),
  );

  // --- customer-service messages (PROTOCOL §8.4)
  router.all(
    '/cgi-bin/message/custom/send',
    api(async (ctx) => {
      requireToken(core, ctx);
      messaging.sendCustom(await readWxJson(ctx));
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/message/custom/typing',
    api(async (ctx) => {
      requireToken(core, ctx);
      messaging.typing(await readWxJson(ctx));
      return OK;
    }),
  );
}
