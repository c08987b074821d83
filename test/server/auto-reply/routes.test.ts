import { and, eq } from 'drizzle-orm';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, autoReplyRules } from '../../../db/schema';
import type { StaffRole } from '../../../server/staff/roles';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb, uniq } from '../../support/db';
import { checkMatrix, staffAgents } from '../menu/role-matrix';

/** The staff auto-reply API (/api/admin/auto-replies) over the real service and database. */

let t: TestApp;
let agents: Record<StaffRole, supertest.Agent>;
beforeAll(async () => {
  t = createTestApp();
  agents = await staffAgents(t);
});
afterAll(async () => {
  await testDb().db.delete(autoReplyRules).where(eq(autoReplyRules.note, 'routes-test'));
  await t.close();
});

const keywordRule = () => ({ trigger: 'keyword', matchType: 'exact', pattern: uniq('kw'), priority: 5, reply: { type: 'text', content: '您好' }, note: 'routes-test' });
async function ruleId(): Promise<number> {
  const res = await agents.admin.post('/api/admin/auto-replies').send(keywordRule());
  expect(res.status).toBe(201);
  return res.body.data.id as number;
}

describe('auto-reply rules API', () => {
  it('every route: admins and supervisors only; anonymous 401; others 403', async () => {
    const both: StaffRole[] = ['admin', 'supervisor'];
    const id = await ruleId();
    await checkMatrix(t, agents, [
      { method: 'get', path: () => '/api/admin/auto-replies', roles: both, ok: 200 },
      { method: 'post', path: () => '/api/admin/auto-replies', body: keywordRule, roles: both, ok: 201 },
      { method: 'get', path: () => `/api/admin/auto-replies/${id}`, roles: both, ok: 200 },
      { method: 'put', path: () => `/api/admin/auto-replies/${id}`, body: keywordRule, roles: both, ok: 200 },
      { method: 'put', path: () => `/api/admin/auto-replies/${id}/enabled`, body: () => ({ enabled: false }), roles: both, ok: 200 },
      { method: 'delete', path: async () => `/api/admin/auto-replies/${await ruleId()}`, roles: both, ok: 204 },
    ]);
  });

  it('create, edit, disable, enable, delete; the push handler sees the change; every write is audited', async () => {
    const { agent } = { agent: agents.supervisor };
    const pattern = uniq('办事');
    const created = await agent.post('/api/admin/auto-replies').send({ ...keywordRule(), pattern, matchType: 'contains' });
    expect(created.status).toBe(201);
    const rule = created.body.data;
    expect(rule).toMatchObject({ trigger: 'keyword', matchType: 'contains', pattern, enabled: true, priority: 5, reply: { type: 'text', content: '您好' } });
    expect(rule.createdAt).toMatch(/Z$/);
    expect(await t.deps.autoReply.forText(`请问${pattern}在哪`)).toEqual({ type: 'text', content: '您好' });

    const edited = await agent.put(`/api/admin/auto-replies/${rule.id}`).send({ ...keywordRule(), pattern, matchType: 'contains', reply: { type: 'text', content: '请到一楼大厅' } });
    expect(edited.body.data.reply).toEqual({ type: 'text', content: '请到一楼大厅' });

    const off = await agent.put(`/api/admin/auto-replies/${rule.id}/enabled`).send({ enabled: false });
    expect(off.body.data.enabled).toBe(false);
    expect(await t.deps.autoReply.forText(`请问${pattern}在哪`)).not.toEqual({ type: 'text', content: '请到一楼大厅' });
    expect((await agent.put(`/api/admin/auto-replies/${rule.id}/enabled`).send({ enabled: true })).body.data.enabled).toBe(true);

    const listed = await agent.get('/api/admin/auto-replies');
    expect(listed.body.data.find((r: { id: number }) => r.id === rule.id)).toMatchObject({ pattern, enabled: true });

    expect((await agent.delete(`/api/admin/auto-replies/${rule.id}`)).status).toBe(204);
    expect((await agent.get(`/api/admin/auto-replies/${rule.id}`)).body.error.code).toBe('AUTO_REPLY_RULE_NOT_FOUND');
    expect((await agent.delete(`/api/admin/auto-replies/${rule.id}`)).body.error.code).toBe('AUTO_REPLY_RULE_NOT_FOUND');

    const audit = await testDb().db.select().from(auditEntries).where(and(eq(auditEntries.subjectType, 'auto_reply_rule'), eq(auditEntries.subjectId, String(rule.id))));
    expect(audit.map((a) => a.action)).toEqual(['auto_reply.create', 'auto_reply.update', 'auto_reply.disable', 'auto_reply.enable', 'auto_reply.delete']);
    expect(new Set(audit.map((a) => a.actorType))).toEqual(new Set(['staff']));
  });

  it('bad rules are AUTO_REPLY_RULE_INVALID with the fields to fix, and nothing is stored', async () => {
    const agent = agents.admin;
    const empty = await agent.post('/api/admin/auto-replies').send({ ...keywordRule(), reply: { type: 'text', content: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'AUTO_REPLY_RULE_INVALID', details: [{ path: 'reply.content' }] });
    const evil = await agent.post('/api/admin/auto-replies').send({ ...keywordRule(), matchType: 'regex', pattern: '(a+)+$' });
    expect(evil.body.error).toMatchObject({ code: 'AUTO_REPLY_RULE_INVALID', details: [{ path: 'pattern', message: expect.stringContaining('nested quantifiers') }] });
    const noPattern = await agent.post('/api/admin/auto-replies').send({ trigger: 'keyword', reply: { type: 'text', content: 'x' } });
    expect(noPattern.body.error.code).toBe('AUTO_REPLY_RULE_INVALID');
    expect((await agent.put('/api/admin/auto-replies/999999999').send(keywordRule())).body.error.code).toBe('AUTO_REPLY_RULE_NOT_FOUND');
    expect((await agent.put('/api/admin/auto-replies/1/enabled').send({ enabled: 'yes' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await agent.get('/api/admin/auto-replies/x')).body.error.code).toBe('VALIDATION_FAILED');
  });
});
