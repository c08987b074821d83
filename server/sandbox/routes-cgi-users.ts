import type Router from '@koa/router';
import type { AppState } from '../http/state';
import type { SandboxCore } from './core';
import { endpoint, requireToken } from './endpoint';
import { recipient } from './messaging';
import { qrPlaceholderSvg } from './qr-image';
import type { SandboxUser } from './types';
import { isRecord, OK, q, readWxJson, str, WxError } from './wire';

/** `/cgi-bin/user*`, `/cgi-bin/tags/*`, `/cgi-bin/qrcode/create` and `showqrcode` (PROTOCOL §8.1–8.3). */
const PAGE_SIZE = 10_000;

/**
 * user/info since 2021-12-27: no nickname or avatar (and no gender, region or language); a
 * non-follower yields only `subscribe: 0` and the openid.
 */
function userInfo(u: SandboxUser): Record<string, unknown> {
  if (!u.subscribed) return { subscribe: 0, openid: u.openid };
  return {
    subscribe: 1,
    openid: u.openid,
    subscribe_time: u.subscribeTime,
    remark: u.remark,
    groupid: 0,
    tagid_list: [...u.tagids],
    subscribe_scene: u.subscribeScene || 'ADD_SCENE_OTHERS',
    qr_scene: u.qrScene,
    qr_scene_str: u.qrSceneStr,
  };
}

function tagId(v: unknown): number {
  const s = str(v);
  if (s === undefined || !/^\d+$/.test(s)) throw new WxError(45159);
  return Number(s);
}

/** A page of openids after `next` (exclusive), in the platform's listing order. */
function page(list: SandboxUser[], next: string | undefined) {
  let start = 0;
  if (next) {
    const i = list.findIndex((u) => u.openid === next);
    if (i === -1) throw new WxError(40003, 'hint: [next_openid]');
    start = i + 1;
  }
  const openids = list.slice(start, start + PAGE_SIZE).map((u) => u.openid);
  return openids.length === 0 ? { count: 0, next_openid: '' } : { count: openids.length, data: { openid: openids }, next_openid: openids[openids.length - 1] };
}

export function mountUserRoutes(router: Router<AppState>, core: SandboxCore): void {
  const api = (handler: Parameters<typeof endpoint>[1]) => endpoint(core, handler);
  const withToken = (handler: Parameters<typeof endpoint>[1]) =>
    api((ctx) => {
      requireToken(core, ctx);
      return handler(ctx);
    });
  const follower = (openid: unknown): SandboxUser => {
    const u = recipient(core, str(openid));
    if (!u.subscribed) throw new WxError(40003, 'hint: [not a follower]');
    return u;
  };
  const followersOf = (list: unknown): SandboxUser[] => {
    if (!Array.isArray(list) || list.length === 0 || list.length > 50) throw new WxError(40032);
    return list.map(follower);
  };

  router.all(
    '/cgi-bin/user/info',
    withToken((ctx) => {
      const openid = q(ctx, 'openid');
      if (!openid) throw new WxError(41009);
      return userInfo(recipient(core, openid));
    }),
  );
  router.all(
    '/cgi-bin/user/info/batchget',
    withToken(async (ctx) => {
      const list = (await readWxJson(ctx)).user_list;
      if (!Array.isArray(list) || list.length === 0 || list.length > 100) throw new WxError(40032);
      return { user_info_list: list.map((item: unknown) => userInfo(recipient(core, isRecord(item) ? str(item.openid) : undefined))) };
    }),
  );
  router.all(
    '/cgi-bin/user/get',
    withToken((ctx) => {
      const followers = core.users.followers();
      return { total: followers.length, ...page(followers, q(ctx, 'next_openid')) };
    }),
  );
  router.all(
    '/cgi-bin/user/info/updateremark',
    withToken(async (ctx) => {
      const body = await readWxJson(ctx);
      const user = follower(body.openid);
      const remark = str(body.remark);
      if (remark === undefined || [...remark].length > 30) throw new WxError(47001, 'hint: [remark must be at most 30 characters]');
      user.remark = remark;
      return OK;
    }),
  );

  // --- tags
  const tagBody = async (ctx: Parameters<Parameters<typeof endpoint>[1]>[0]) => {
    const tag = (await readWxJson(ctx)).tag;
    if (!isRecord(tag)) throw new WxError(47001, 'hint: [tag must be an object]');
    return tag;
  };
  router.all(
    '/cgi-bin/tags/create',
    withToken(async (ctx) => ({ tag: core.tags.create((await tagBody(ctx)).name) })),
  );
  router.all(
    '/cgi-bin/tags/get',
    withToken(() => ({
      tags: core.tags.list().map((t) => ({ ...t, count: core.users.followers().filter((u) => u.tagids.includes(t.id)).length })),
    })),
  );
  router.all(
    '/cgi-bin/tags/update',
    withToken(async (ctx) => {
      const tag = await tagBody(ctx);
      core.tags.update(tagId(tag.id), tag.name);
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/tags/delete',
    withToken(async (ctx) => {
      core.tags.remove(tagId((await tagBody(ctx)).id), core.users.list());
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/tags/members/batchtagging',
    withToken(async (ctx) => {
      const body = await readWxJson(ctx);
      core.tags.tag(tagId(body.tagid), followersOf(body.openid_list));
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/tags/members/batchuntagging',
    withToken(async (ctx) => {
      const body = await readWxJson(ctx);
      core.tags.untag(tagId(body.tagid), followersOf(body.openid_list));
      return OK;
    }),
  );
  router.all(
    '/cgi-bin/tags/getidlist',
    withToken(async (ctx) => ({ tagid_list: [...follower((await readWxJson(ctx)).openid).tagids] })),
  );
  router.all(
    '/cgi-bin/user/tag/get',
    withToken(async (ctx) => {
      const body = await readWxJson(ctx);
      const id = tagId(body.tagid);
      if (!core.tags.has(id)) throw new WxError(45159);
      const members = core.users.followers().filter((u) => u.tagids.includes(id));
      return page(members, str(body.next_openid) || undefined);
    }),
  );

  // --- parametric QR codes
  router.all(
    '/cgi-bin/qrcode/create',
    withToken(async (ctx) => core.qrcodes.create(await readWxJson(ctx))),
  );
  // The image for a ticket, no token needed (on WeChat it lives on mp.weixin.qq.com).
  router.get('/cgi-bin/showqrcode', (ctx) => {
    const ticket = q(ctx, 'ticket');
    const code = ticket ? core.qrcodes.find(ticket) : undefined;
    if (!code || !ticket) return;
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = qrPlaceholderSvg(ticket, code.scene);
  });
}
