import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { requireStaff } from '../staff/guard';
import type { StaffPrincipal } from '../staff/roles';
import { menuCheckBody, menuCreateBody, menuIdParams, menuListQuery, menuUpdateBody, type MenuVersionDto } from './schema';
import type { MenuService, MenuVersion } from './service';

/**
 * Staff menu API under /api/admin/menu. Every route names its roles: reading versions (and the
 * live check) is open to all staff, evaluators included (they compare menu versions); drafting,
 * publishing and rollback to admins and supervisors. Publishes and rollbacks are audited by the
 * service in the transaction that records them.
 */
export function menuRoutes(deps: { menus: MenuService }) {
  const router = new Router<AppState>({ prefix: '/api/admin/menu' });
  const read = requireStaff('admin', 'supervisor', 'clerk', 'evaluator');
  const edit = requireStaff('admin', 'supervisor');
  /** the guard ran first, so there is a staff member */
  const staffOf = (ctx: Context & { state: AppState }): StaffPrincipal => ctx.state.staff!;
  const actor = (s: StaffPrincipal) => `staff:${s.username}`;

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

  router.get('/versions', read, async (ctx) => {
    const q = parseInput(menuListQuery, ctx.query);
    ctx.body = { data: (await deps.menus.list(q)).map(present) };
  });

  router.post('/versions', edit, async (ctx) => {
    const b = parseInput(menuCreateBody, ctx.request.body);
    const v = await deps.menus.createDraft({ menu: b.menu, kind: b.kind, matchRule: b.matchRule ?? undefined, note: b.note, createdBy: actor(staffOf(ctx)) });
    ctx.status = 201;
    ctx.body = { data: present(v) };
  });

  router.get('/versions/:id', read, async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    ctx.body = { data: present(await deps.menus.get(id)) };
  });

  router.put('/versions/:id', edit, async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    const b = parseInput(menuUpdateBody, ctx.request.body);
    ctx.body = { data: present(await deps.menus.updateDraft(id, b)) };
  });

  router.get('/versions/:id/preview', read, async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    ctx.body = { data: await deps.menus.preview(id) };
  });

  router.post('/versions/:id/publish', edit, async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    const staff = staffOf(ctx);
    ctx.body = { data: present(await deps.menus.publish(id, actor(staff), { actor: { staffId: staff.id } })) };
  });

  router.post('/versions/:id/rollback', edit, async (ctx) => {
    const { id } = parseInput(menuIdParams, ctx.params);
    const staff = staffOf(ctx);
    ctx.status = 201;
    ctx.body = { data: present(await deps.menus.rollback(id, actor(staff), { actor: { staffId: staff.id } })) };
  });

  router.post('/check', read, (ctx) => {
    const b = parseInput(menuCheckBody, ctx.request.body);
    ctx.body = { data: deps.menus.check(b) };
  });

  router.get('/current', read, async (ctx) => {
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
