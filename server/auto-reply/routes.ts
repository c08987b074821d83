import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { requireStaff } from '../staff/guard';
import { ruleInputSchema, type AutoReplyRuleDto } from './schema';
import type { AutoReplyRule, AutoReplyService } from './service';

/**
 * Staff API for auto-reply rules under /api/admin/auto-replies (admins and supervisors: what the
 * account says to every citizen). The body of a create or edit is checked by the service
 * (AUTO_REPLY_RULE_INVALID with the fields to fix); every change is audited there.
 */
const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const enabledBody = z.strictObject({ enabled: z.boolean() });

export function present(r: AutoReplyRule): AutoReplyRuleDto {
  return {
    id: r.id,
    trigger: r.trigger as AutoReplyRuleDto['trigger'],
    matchType: (r.matchType as AutoReplyRuleDto['matchType']) ?? null,
    pattern: r.pattern,
    priority: r.priority,
    enabled: r.enabled,
    reply: r.reply,
    note: r.note,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function autoReplyRoutes(deps: { autoReply: AutoReplyService }) {
  const router = new Router<AppState>({ prefix: '/api/admin/auto-replies' });
  const staffOnly = requireStaff('admin', 'supervisor');
  const by = (ctx: Context & { state: AppState }) => ({ staffId: ctx.state.staff!.id });
  const svc = deps.autoReply;

  router.get('/', staffOnly, async (ctx) => {
    ctx.body = { data: (await svc.list()).map(present) };
  });

  router.post('/', staffOnly, async (ctx) => {
    const input = parseInput(ruleInputSchema, ctx.request.body, 'AUTO_REPLY_RULE_INVALID');
    ctx.status = 201;
    ctx.body = { data: present(await svc.create(input, by(ctx))) };
  });

  router.get('/:id', staffOnly, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params);
    ctx.body = { data: present(await svc.get(id)) };
  });

  router.put('/:id', staffOnly, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params);
    const input = parseInput(ruleInputSchema, ctx.request.body, 'AUTO_REPLY_RULE_INVALID');
    ctx.body = { data: present(await svc.update(id, input, by(ctx))) };
  });

  router.put('/:id/enabled', staffOnly, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params);
    const { enabled } = parseInput(enabledBody, ctx.request.body);
    await svc.setEnabled(id, enabled, by(ctx));
    ctx.body = { data: present(await svc.get(id)) };
  });

  router.delete('/:id', staffOnly, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params);
    await svc.remove(id, by(ctx));
    ctx.status = 204;
  });

  return router;
}
