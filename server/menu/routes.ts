import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { menuCheckBody, menuCreateBody, menuIdParams, menuListQuery, menuUpdateBody, type MenuVersionDto } from './schema';
import type { MenuService, MenuVersion } from './service';

/**
 * Staff menu API under /api/admin/menu. Staff sign-in does not exist yet, so whoever mounts
 * these routes must supply the guard (it runs before every route) and say who the actor is;
 * there is deliberately no default that lets an anonymous caller publish.
 */
export function menuRoutes(deps: {
  menus: MenuService;
  guard: Middleware<AppState>;
  /** the signed-in staff member, recorded as created_by / published_by */
  actor: (ctx: Context) => string;
}) {
  const router = new Router<AppState>({ prefix: '/api/admin/menu' });
  router.use(deps.guard);

  const present = (v: MenuVersion): MenuVersionDto => ({
    id: v.id,
    version: v.version,
    kind: v.kind,
    status: v.status,
    menu: v.menu,
    matchRule: v.matchRule,
    wechatMenuId: v.wechatMenuId,
    note: v.note,
    createdBy: v.createdBy,
    createdAt: v.createdAt.toISOString(),
    publishedBy: v.publishedBy,
    publishedAt: v.publishedAt?.toISOString() ?? null,
    publishError: v.publishError,
    problems: v.problems.map((p) => ({ path: p.path, button: p.button, rule: p.rule, message: p.message })),
  });

  router.get('/versions', async (ctx) => {
    const q = parseInput(menuListQuery, ctx.query);
    ctx.body = { data: (await deps.menus.list(q)).map(present) };
  });

  router.post('/versions', async (ctx) => {
    const b = parseInput(menuCreateBody, ctx.request.body);
    const v = await deps.menus.createDraft({ menu: b.menu, kind: b.kind, matchRule: b.matchRule ?? undefined, note: b.note, createdBy: deps.actor(ctx) });
    ctx.status = 201;
    ctx.body = { data: present(v) };
  });

  router.get('/versions/:id', async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    ctx.body = { data: present(await deps.menus.get(id)) };
  });

  router.put('/versions/:id', async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    const b = parseInput(menuUpdateBody, ctx.request.body);
    ctx.body = { data: present(await deps.menus.updateDraft(id, b)) };
  });

  router.get('/versions/:id/preview', async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    ctx.body = { data: await deps.menus.preview(id) };
  });

  router.post('/versions/:id/publish', async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    ctx.body = { data: present(await deps.menus.publish(id, deps.actor(ctx))) };
  });

  router.post('/check', (ctx) => {
    const b = parseInput(menuCheckBody, ctx.request.body);
    ctx.body = { data: deps.menus.check(b) };
  });

  router.get('/current', async (ctx) => {
    const cur = await deps.menus.currentPublished();
    ctx.body = {
      data: cur && {
        id: cur.id,
        version: cur.version,
        menu: cur.menu,
        publishedAt: cur.publishedAt?.toISOString() ?? null,
        items: cur.items.map((i) => ({ key: i.key, keyGenerated: i.keyGenerated, name: i.name, label: i.label, type: i.type, url: i.url ?? null })),
      },
    };
  });
  return router;
}
