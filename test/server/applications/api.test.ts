import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEvents } from '../../../db/schema';
import { signedInAgent } from '../../support/citizen-agent';
import { testDb, uniq } from '../../support/db';
import { createStaff, signedInStaff } from '../../support/staff-agent';
import { auditRows, createApplicationsTestApp, JPEG, makeType, VALID_ANSWERS } from './fixtures';

const t = createApplicationsTestApp();
const db = testDb().db;
let type: Awaited<ReturnType<typeof makeType>>;
afterAll(() => t.close());
beforeAll(async () => {
  type = await makeType(db, { name: `测试事项${uniq('')}`, timeLimitDays: 5 });
});

type Agent = Awaited<ReturnType<typeof signedInAgent>>['agent'];
const submit = (agent: Agent, answers: Record<string, unknown> = VALID_ANSWERS, extra: Record<string, unknown> = {}) =>
  agent.post('/api/h5/applications').send({ typeCode: type.code, answers, ...extra });

describe('H5: types, submission, own applications', () => {
  it('lists active types with their forms', async () => {
    const res = await t.request.get('/api/h5/application-types');
    expect(res.status).toBe(200);
    const mine = (res.body.data as { code: string }[]).find((x) => x.code === type.code);
    expect(mine).toMatchObject({ name: type.name, timeLimitDays: 5, materials: ['居民身份证'], fields: expect.arrayContaining([expect.objectContaining({ key: 'id_number', kind: 'id_number' })]) });
  });

  it('submits: 201 with number, status, due date and the first timeline entry; answers stored normalised', async () => {
    const { agent } = await signedInAgent(t);
    const res = await submit(agent, { ...VALID_ANSWERS, id_number: '11010519491231002x', phone: '+86 138 0013 8000', plate: '粤b12345' });
    expect(res.status).toBe(201);
    const d = res.body.data;
    expect(d).toMatchObject({
      applicationNo: expect.stringMatching(/^SQ\d{16}$/),
      status: 'submitted',
      statusLabel: '已提交',
      type: { code: type.code, name: type.name },
      dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      canWithdraw: true,
      canResubmit: false,
      ratableStages: [],
      answers: { name: '张三', id_number: '11010519491231002X', phone: '13800138000', plate: '粤B12345' },
    });
    expect(d.timeline).toEqual([expect.objectContaining({ from: null, to: 'submitted', actor: 'citizen' })]);
    expect(await auditRows(db, 'application', d.id, 'application.submit')).toHaveLength(1);
  });

  it('refuses bad answers naming each field, an unknown type, a malformed body, and anonymous callers', async () => {
    const { agent } = await signedInAgent(t);
    const bad = await submit(agent, { name: '', id_number: '110105194912310021', phone: '12345' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('APPLICATION_ANSWERS_INVALID');
    expect((bad.body.error.details as { path: string }[]).map((x) => x.path).sort()).toEqual(['id_number', 'name', 'phone']);
    const unknown = await agent.post('/api/h5/applications').send({ typeCode: 'no_such_type', answers: VALID_ANSWERS });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('APPLICATION_TYPE_NOT_FOUND');
    const malformed = await agent.post('/api/h5/applications').send({ typeCode: type.code, answers: VALID_ANSWERS, status: 'approved' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    expect((await agent.post('/api/h5/applications').send({ typeCode: type.code, answers: 'x' })).status).toBe(400);
    expect((await t.request.post('/api/h5/applications').send({ typeCode: type.code, answers: VALID_ANSWERS })).status).toBe(401);
  });

  it('another citizen’s application is 404 for every H5 route', async () => {
    const owner = await signedInAgent(t);
    const other = await signedInAgent(t);
    const id = (await submit(owner.agent)).body.data.id as number;
    for (const res of [
      await other.agent.get(`/api/h5/applications/${id}`),
      await other.agent.post(`/api/h5/applications/${id}/withdraw`),
      await other.agent.post(`/api/h5/applications/${id}/resubmit`).send({ answers: VALID_ANSWERS }),
      await other.agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'accepted', score: 5 }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('APPLICATION_NOT_FOUND');
    }
    const list = await other.agent.get('/api/h5/applications');
    expect((list.body.data as { id: number }[]).some((a) => a.id === id)).toBe(false);
    expect((await owner.agent.get(`/api/h5/applications/${id}`)).status).toBe(200);
    expect((await owner.agent.get('/api/h5/applications/abc')).status).toBe(400);
  });

  it('records submit start and completion for usage reports', async () => {
    const { agent, citizen } = await signedInAgent(t);
    await submit(agent);
    await submit(agent, { ...VALID_ANSWERS, name: '' });
    await t.deps.usageRecorder.flush();
    const key = t.deps.pseudonymise(citizen.openid);
    const rows = await db.select().from(usageEvents).where(and(eq(usageEvents.citizenKey, key), eq(usageEvents.name, 'application.submit')));
    expect(rows.map((r) => `${r.kind}:${r.outcome ?? ''}`).sort()).toEqual(['task_complete:ok', 'task_fail:ANSWERS_INVALID', 'task_start:', 'task_start:', 'validation_error:']);
    const invalid = rows.find((r) => r.kind === 'validation_error')!;
    expect(invalid.props).toMatchObject({ type: type.code, fields: 'name' });
    expect(JSON.stringify(rows)).not.toContain('11010519491231002X'); // field names, never values
  });
});

describe('through the queue: accept, ask for information, resubmit, approve, complete', () => {
  it('walks the states; the citizen sees every step and never an internal note or staff detail', async () => {
    const { agent: citizen } = await signedInAgent(t);
    const { agent: clerk, staff: clerkStaff } = await signedInStaff(t, 'clerk');
    const photo = (await citizen.post('/api/h5/attachments').set('Content-Type', 'image/jpeg').send(JPEG)).body.data.id as number;
    const id = (await submit(citizen, { ...VALID_ANSWERS, photo: [photo] })).body.data.id as number;
    const secret = `INTERNAL-${uniq()}`;
    const h5Bodies: string[] = [];
    const h5 = async (p: PromiseLike<{ status: number; body: unknown }>) => {
      const res = await p;
      h5Bodies.push(JSON.stringify(res.body));
      return res as { status: number; body: { data: Record<string, unknown> } };
    };

    const note = await clerk.post(`/api/admin/applications/${id}/notes`).send({ text: `${secret} 申请人电话无人接听` });
    expect(note.status).toBe(201);
    expect((await clerk.post(`/api/admin/applications/${id}/assign`).send({ staffId: clerkStaff.id })).status).toBe(200);
    const accepted = await clerk.post(`/api/admin/applications/${id}/transitions`).send({ to: 'accepted', note: '材料齐全，予以受理' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.data).toMatchObject({ status: 'accepted', assigneeStaffId: clerkStaff.id, allowedTransitions: ['in_review'] });
    expect((await clerk.post(`/api/admin/applications/${id}/transitions`).send({ to: 'in_review' })).status).toBe(200);
    const noReason = await clerk.post(`/api/admin/applications/${id}/transitions`).send({ to: 'needs_info' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('APPLICATION_REASON_REQUIRED');
    expect((await clerk.post(`/api/admin/applications/${id}/transitions`).send({ to: 'needs_info', note: '照片不清晰，请重新上传' })).status).toBe(200);

    const asked = await h5(citizen.get(`/api/h5/applications/${id}`));
    expect(asked.body.data).toMatchObject({ status: 'needs_info', needsAction: true, canResubmit: true, reason: '照片不清晰，请重新上传', ratableStages: ['accepted'] });
    const photo2 = (await citizen.post('/api/h5/attachments').set('Content-Type', 'image/jpeg').send(Buffer.concat([JPEG, Buffer.from('v2')]))).body.data.id as number;
    const resubmitted = await h5(citizen.post(`/api/h5/applications/${id}/resubmit`).send({ answers: { ...VALID_ANSWERS, photo: [photo2] }, note: '已重新上传' }));
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.body.data).toMatchObject({ status: 'in_review', answers: expect.objectContaining({ photo: [photo2] }) });
    expect(await h5(citizen.post(`/api/h5/applications/${id}/resubmit`).send({ answers: VALID_ANSWERS }))).toMatchObject({ status: 409 });

    expect((await clerk.post(`/api/admin/applications/${id}/transitions`).send({ to: 'approved' })).status).toBe(200);
    expect(await h5(citizen.post(`/api/h5/applications/${id}/withdraw`))).toMatchObject({ status: 409 }); // decided: too late
    expect((await clerk.post(`/api/admin/applications/${id}/transitions`).send({ to: 'completed', note: '新证已寄出' })).status).toBe(200);
    expect((await clerk.post(`/api/admin/applications/${id}/transitions`).send({ to: 'in_review' })).body.error.code).toBe('APPLICATION_TRANSITION_NOT_ALLOWED');

    const done = await h5(citizen.get(`/api/h5/applications/${id}`));
    expect((done.body.data.timeline as { to: string }[]).map((e) => e.to)).toEqual(['submitted', 'accepted', 'in_review', 'needs_info', 'in_review', 'approved', 'completed']);
    expect(done.body.data).toMatchObject({ status: 'completed', canWithdraw: false, ratableStages: ['accepted', 'completed'] });
    await h5(citizen.get('/api/h5/applications'));
    await h5(citizen.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'completed', score: 5, comment: '很快' }));

    for (const body of h5Bodies) {
      expect(body).not.toContain(secret);
      expect(body).not.toContain('assignee');
      expect(body).not.toContain('notes');
      expect(body).not.toContain('actorId');
      expect(body).not.toContain(`"staffId"`);
    }
    // Staff see the note, the full timeline with actors, and the notifications went out with each step.
    const admin = await clerk.get(`/api/admin/applications/${id}`);
    expect(admin.body.data.notes).toEqual([expect.objectContaining({ staffId: clerkStaff.id, text: expect.stringContaining(secret) })]);
    expect(admin.body.data.timeline[1]).toMatchObject({ to: 'accepted', actorId: clerkStaff.id });
    expect(admin.body.data.attachments.map((a: { id: number }) => a.id)).toEqual([photo2]);
  });

  it('withdraw before a decision', async () => {
    const { agent } = await signedInAgent(t);
    const id = (await submit(agent)).body.data.id as number;
    const res = await agent.post(`/api/h5/applications/${id}/withdraw`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'withdrawn', canWithdraw: false });
    expect((await agent.post(`/api/h5/applications/${id}/withdraw`)).status).toBe(409);
  });
});

describe('admin: list, masking, detail audit, assignment, roles', () => {
  it('lists with masked personal data; the detail shows it in full and is audited', async () => {
    const { agent: citizen } = await signedInAgent(t);
    const id = (await submit(citizen)).body.data.id as number;
    const { agent, staff } = await signedInStaff(t, 'supervisor');
    const list = await agent.get(`/api/admin/applications?type=${type.code}&status=submitted&pageSize=100`);
    expect(list.status).toBe(200);
    const row = (list.body.data as { id: number; keyFields: unknown }[]).find((r) => r.id === id);
    expect(row?.keyFields).toEqual([
      { key: 'name', label: '姓名', value: '张*' },
      { key: 'id_number', label: '身份证号码', value: '110105********002X' },
      { key: 'phone', label: '手机号码', value: '138****8000' },
      { key: 'plate', label: '号牌号码', value: expect.stringMatching(/^粤B·/) },
    ]);
    expect(JSON.stringify(list.body)).not.toContain('11010519491231002X');
    expect(JSON.stringify(list.body)).not.toContain('13800138000');
    expect(list.body.page).toMatchObject({ page: 1, pageSize: 100, total: expect.any(Number) });

    expect(await auditRows(db, 'application', id, 'application.read')).toHaveLength(0);
    const detail = await agent.get(`/api/admin/applications/${id}`);
    expect(detail.body.data.answers).toMatchObject({ id_number: '11010519491231002X', phone: '13800138000' });
    expect(detail.body.data.allowedTransitions.sort()).toEqual(['accepted', 'rejected']);
    const audit = await auditRows(db, 'application', id, 'application.read');
    expect(audit).toEqual([expect.objectContaining({ actorType: 'staff', actorId: staff.id })]);
  });

  it('filters by status, type, assignee and pages', async () => {
    const ownType = await makeType(db);
    const { agent: citizen } = await signedInAgent(t);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await citizen.post('/api/h5/applications').send({ typeCode: ownType.code, answers: VALID_ANSWERS })).body.data.id);
    const { agent, staff } = await signedInStaff(t, 'clerk');
    await agent.post(`/api/admin/applications/${ids[0]}/assign`).send({ staffId: staff.id });
    await agent.post(`/api/admin/applications/${ids[1]}/transitions`).send({ to: 'accepted' });
    const q = async (qs: string) => ((await agent.get(`/api/admin/applications?type=${ownType.code}&${qs}`)).body.data as { id: number }[]).map((r) => r.id).sort();
    expect(await q('')).toEqual([...ids].sort());
    expect(await q('status=accepted')).toEqual([ids[1]]);
    expect(await q('assignee=me')).toEqual([ids[0]]);
    expect(await q(`assignee=${staff.id}`)).toEqual([ids[0]]);
    expect(await q('assignee=none')).toEqual([ids[1], ids[2]].sort());
    expect(await q('overdue=true')).toEqual([]);
    const page2 = await agent.get(`/api/admin/applications?type=${ownType.code}&pageSize=2&page=2`);
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.page).toEqual({ page: 2, pageSize: 2, total: 3 });
    expect((await agent.get('/api/admin/applications?status=nonsense')).status).toBe(400);
    expect((await agent.get('/api/admin/applications?type=no_such_type')).body.data).toEqual([]);
  });

  it('assignment: supervisors assign handlers; a clerk only themself; never an evaluator or a disabled account', async () => {
    const { agent: citizen } = await signedInAgent(t);
    const id = (await submit(citizen)).body.data.id as number;
    const sup = await signedInStaff(t, 'supervisor');
    const clerk = await signedInStaff(t, 'clerk');
    const other = await createStaff(db, { role: 'clerk' });
    const evaluator = await createStaff(db, { role: 'evaluator' });
    const disabled = await createStaff(db, { role: 'clerk', disabled: true });

    expect((await sup.agent.post(`/api/admin/applications/${id}/assign`).send({ staffId: other.id })).body.data.assigneeStaffId).toBe(other.id);
    for (const bad of [evaluator.id, disabled.id, 987654321]) {
      const res = await sup.agent.post(`/api/admin/applications/${id}/assign`).send({ staffId: bad });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('APPLICATION_ASSIGNEE_INVALID');
    }
    expect((await clerk.agent.post(`/api/admin/applications/${id}/assign`).send({ staffId: other.id })).status).toBe(403);
    expect((await clerk.agent.post(`/api/admin/applications/${id}/assign`).send({ staffId: null })).status).toBe(403); // not theirs
    expect((await clerk.agent.post(`/api/admin/applications/${id}/assign`).send({ staffId: clerk.staff.id })).body.data.assigneeStaffId).toBe(clerk.staff.id);
    expect((await clerk.agent.post(`/api/admin/applications/${id}/assign`).send({ staffId: null })).body.data.assigneeStaffId).toBeNull();
    expect((await auditRows(db, 'application', id, 'application.assign')).length).toBe(3);
  });

  it('roles per route: anonymous 401, evaluator 403 except the dashboard', async () => {
    const { agent: citizen } = await signedInAgent(t);
    const id = (await submit(citizen)).body.data.id as number;
    const evaluator = await signedInStaff(t, 'evaluator');
    const routes: [string, string, object?][] = [
      ['get', '/api/admin/applications'],
      ['get', `/api/admin/applications/${id}`],
      ['post', `/api/admin/applications/${id}/transitions`, { to: 'accepted' }],
      ['post', `/api/admin/applications/${id}/assign`, { staffId: null }],
      ['post', `/api/admin/applications/${id}/notes`, { text: 'x' }],
      ['get', '/api/admin/follow-ups'],
      ['post', '/api/admin/follow-ups/1/close', { response: 'x' }],
    ];
    for (const [method, path, body] of routes) {
      const anon = await (t.request as unknown as Record<string, (p: string) => { send(b?: object): Promise<{ status: number }> }>)[method]!(path).send(body);
      expect(anon.status, `${method} ${path}`).toBe(401);
      const ev = await (evaluator.agent as unknown as Record<string, (p: string) => { send(b?: object): Promise<{ status: number }> }>)[method]!(path).send(body);
      expect(ev.status, `${method} ${path}`).toBe(403);
    }
    expect((await evaluator.agent.get('/api/admin/dashboard')).status).toBe(200);
    expect((await t.request.get('/api/admin/dashboard')).status).toBe(401);
    expect((await citizen.get('/api/admin/applications')).status).toBe(401); // a citizen session is not a staff session
  });
});

describe('好差评', () => {
  it('rates once per stage, only after the stage was reached', async () => {
    const { agent } = await signedInAgent(t);
    const clerk = await signedInStaff(t, 'clerk');
    const id = (await submit(agent)).body.data.id as number;
    const early = await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'accepted', score: 5 });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('APPLICATION_RATING_NOT_OPEN');
    await clerk.agent.post(`/api/admin/applications/${id}/transitions`).send({ to: 'accepted' });
    const ok = await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'accepted', score: 4, comment: '态度好' });
    expect(ok.status).toBe(201);
    expect(ok.body.data.ratings).toEqual([expect.objectContaining({ stage: 'accepted', score: 4, label: '满意', comment: '态度好', followUp: null })]);
    expect(ok.body.data.ratableStages).toEqual([]);
    const twice = await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'accepted', score: 1 });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('APPLICATION_ALREADY_RATED');
    expect((await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'completed', score: 5 })).body.error.code).toBe('APPLICATION_RATING_NOT_OPEN');
    expect((await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'accepted', score: 6 })).status).toBe(400);
    expect((await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'later', score: 3 })).status).toBe(400);
  });

  it('a rating of 1–2 opens a follow-up; staff close it with a response the citizen reads; closing is audited', async () => {
    const { agent } = await signedInAgent(t);
    const clerk = await signedInStaff(t, 'clerk');
    const id = (await submit(agent)).body.data.id as number;
    await clerk.agent.post(`/api/admin/applications/${id}/transitions`).send({ to: 'accepted' });
    const before = (await clerk.agent.get('/api/admin/dashboard')).body.data;
    const rated = await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'accepted', score: 2, comment: '排队太久' });
    expect(rated.body.data.ratings[0]).toMatchObject({ label: '不满意', followUp: { status: 'open', response: null, dueOn: expect.any(String) } });
    const after = (await clerk.agent.get('/api/admin/dashboard')).body.data;
    expect(after.openFollowUps).toBe(before.openFollowUps + 1);

    const list = await clerk.agent.get('/api/admin/follow-ups?pageSize=100');
    const fu = (list.body.data as { id: number; applicationId: number }[]).find((f) => f.applicationId === id) as Record<string, unknown>;
    expect(fu).toMatchObject({ status: 'open', score: 2, scoreLabel: '不满意', comment: '排队太久', overdue: false, stage: 'accepted', typeName: type.name });
    const closed = await clerk.agent.post(`/api/admin/follow-ups/${fu.id}/close`).send({ response: '已核实，已增加窗口' });
    expect(closed.status).toBe(200);
    expect(closed.body.data).toMatchObject({ status: 'closed', response: '已核实，已增加窗口', closedByStaffId: clerk.staff.id });
    expect((await clerk.agent.post(`/api/admin/follow-ups/${fu.id}/close`).send({ response: 'again' })).body.error.code).toBe('FOLLOW_UP_CLOSED');
    expect((await clerk.agent.post(`/api/admin/follow-ups/${fu.id}/close`).send({ response: ' ' })).status).toBe(400);
    expect((await clerk.agent.post('/api/admin/follow-ups/987654321/close').send({ response: 'x' })).status).toBe(404);
    expect(await auditRows(db, 'rating_follow_up', fu.id as number, 'follow_up.close')).toHaveLength(1);

    const seen = await agent.get(`/api/h5/applications/${id}`);
    expect(seen.body.data.ratings[0].followUp).toMatchObject({ status: 'closed', response: '已核实，已增加窗口', closedAt: expect.any(String) });
    const closedList = await clerk.agent.get('/api/admin/follow-ups?status=closed&pageSize=100');
    expect((closedList.body.data as { id: number }[]).some((f) => f.id === fu.id)).toBe(true);
  });

  it('a good rating opens nothing', async () => {
    const { agent } = await signedInAgent(t);
    const clerk = await signedInStaff(t, 'clerk');
    const id = (await submit(agent)).body.data.id as number;
    await clerk.agent.post(`/api/admin/applications/${id}/transitions`).send({ to: 'accepted' });
    const rated = await agent.post(`/api/h5/applications/${id}/ratings`).send({ stage: 'accepted', score: 3 });
    expect(rated.body.data.ratings[0]).toMatchObject({ label: '基本满意', followUp: null });
    const list = await clerk.agent.get('/api/admin/follow-ups?status=all&pageSize=100');
    expect((list.body.data as { applicationId: number }[]).some((f) => f.applicationId === id)).toBe(false);
  });
});

describe('dashboard', () => {
  it('counts the queue by status, overdue and today’s appointments', async () => {
    const { agent } = await signedInStaff(t, 'admin');
    const before = (await agent.get('/api/admin/dashboard')).body.data;
    const { agent: citizen } = await signedInAgent(t);
    await submit(citizen);
    const after = (await agent.get('/api/admin/dashboard')).body.data;
    expect(after.byStatus.submitted).toBe(before.byStatus.submitted + 1);
    expect(after.open).toBe(before.open + 1);
    expect(after).toMatchObject({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), overdue: expect.any(Number), appointmentsToday: expect.any(Number), overdueFollowUps: expect.any(Number) });
  });
});
