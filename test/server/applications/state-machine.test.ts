import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_STATUSES, type ApplicationStatus } from '../../../db/schema';
import { AppError } from '../../../server/http/errors';
import type { StaffRole } from '../../../server/staff/roles';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { applicationRow, auditRows, createApplicationsTestApp, makeApplication, makeType, outboxRows, principal, transitionRows, VALID_ANSWERS } from './fixtures';

/**
 * The state machine as a table: every state × staff role × target, and the citizen's two moves
 * from every state. The expected table is written out here again (not imported), so a change to
 * the code's table must be made on purpose in both places.
 */
const HANDLERS: StaffRole[] = ['admin', 'supervisor', 'clerk'];
const EXPECTED_STAFF: Record<string, StaffRole[]> = {
  'submitted>accepted': HANDLERS,
  'submitted>rejected': HANDLERS,
  'accepted>in_review': HANDLERS,
  'in_review>needs_info': HANDLERS,
  'in_review>approved': HANDLERS,
  'in_review>rejected': HANDLERS,
  'approved>completed': HANDLERS,
  'rejected>completed': HANDLERS,
};
/** moves that exist but belong to the citizen: staff get 403, not 409 */
const CITIZEN_MOVES = new Set(['submitted>withdrawn', 'accepted>withdrawn', 'in_review>withdrawn', 'needs_info>withdrawn', 'needs_info>in_review']);
const NOTIFIED: Partial<Record<ApplicationStatus, string>> = {
  accepted: 'application.accepted',
  needs_info: 'application.needs_info',
  approved: 'application.approved',
  rejected: 'application.rejected',
  completed: 'application.completed',
};

const t = createApplicationsTestApp();
const db = testDb().db;
let citizen: { id: number; openid: string };
let typeId: number;

beforeAll(async () => {
  const c = await makeCitizen(db);
  citizen = { id: c.id, openid: c.openid };
  typeId = (await makeType(db, { handlingRole: 'clerk' })).id;
});
afterAll(() => t.close());

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
};

describe('staff transitions: every state × role × target', () => {
  const roles: StaffRole[] = ['admin', 'supervisor', 'clerk', 'evaluator'];
  const cases = APPLICATION_STATUSES.flatMap((from) => roles.flatMap((role) => APPLICATION_STATUSES.map((to) => ({ from, role, to }))));

  it.each(cases)('$role: $from → $to', async ({ from, role, to }) => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: from, seq: 3 });
    const staff = principal(role);
    const key = `${from}>${to}`;
    const allowed = EXPECTED_STAFF[key]?.includes(role) ?? false;
    const expected = allowed ? 'ok' : EXPECTED_STAFF[key] || CITIZEN_MOVES.has(key) ? 'APPLICATION_ROLE_FORBIDDEN' : 'APPLICATION_TRANSITION_NOT_ALLOWED';
    expect(await codeOf(t.deps.applications.transition(staff, id, to, '请补充材料'))).toBe(expected);

    const row = await applicationRow(db, id);
    const trans = await transitionRows(db, id);
    const outbox = await outboxRows(db, id);
    if (allowed) {
      expect(row.status).toBe(to);
      expect(row.transitionSeq).toBe(4);
      expect(trans.at(-1)).toMatchObject({ seq: 4, fromStatus: from, toStatus: to, actorType: 'staff', actorId: staff.id });
      const audit = await auditRows(db, 'application', id, 'application.transition');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorType: 'staff', actorId: staff.id, detail: expect.objectContaining({ from, to }) });
      if (NOTIFIED[to]) expect(outbox.map((o) => [o.kind, o.dedupeKey])).toEqual([[NOTIFIED[to], `application:${id}:${to}:4`]]);
      else expect(outbox).toEqual([]);
    } else {
      expect(row.status).toBe(from);
      expect(row.transitionSeq).toBe(3);
      expect(trans).toHaveLength(1);
      expect(outbox).toEqual([]);
    }
  });
});

describe('the citizen’s moves from every state', () => {
  const withdrawable = new Set<ApplicationStatus>(['submitted', 'accepted', 'in_review', 'needs_info']);

  it.each(APPLICATION_STATUSES.map((from) => ({ from })))('withdraw from $from', async ({ from }) => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: from });
    const code = await codeOf(t.deps.applications.withdraw(citizen, id));
    expect(code).toBe(withdrawable.has(from) ? 'ok' : 'APPLICATION_TRANSITION_NOT_ALLOWED');
    const row = await applicationRow(db, id);
    expect(row.status).toBe(withdrawable.has(from) ? 'withdrawn' : from);
    if (withdrawable.has(from)) {
      expect(row.withdrawnAt).not.toBeNull();
      expect((await transitionRows(db, id)).at(-1)).toMatchObject({ fromStatus: from, toStatus: 'withdrawn', actorType: 'citizen', actorId: citizen.id });
      expect(await outboxRows(db, id)).toEqual([]); // the citizen did it; nothing to tell them
    }
  });

  it.each(APPLICATION_STATUSES.map((from) => ({ from })))('resubmit from $from', async ({ from }) => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: from });
    const code = await codeOf(t.deps.applications.resubmit(citizen, id, { answers: { ...VALID_ANSWERS, phone: '13900139000' } }));
    expect(code).toBe(from === 'needs_info' ? 'ok' : 'APPLICATION_TRANSITION_NOT_ALLOWED');
    const row = await applicationRow(db, id);
    expect(row.status).toBe(from === 'needs_info' ? 'in_review' : from);
    expect(row.answers.phone).toBe(from === 'needs_info' ? '13900139000' : VALID_ANSWERS.phone);
  });
});

describe('decisions and reasons', () => {
  it('a type handled by supervisors: a clerk may accept and review but not decide', async () => {
    const supType = await makeType(db, { handlingRole: 'supervisor' });
    const id = await makeApplication(db, { citizenId: citizen.id, typeId: supType.id, status: 'submitted' });
    const clerk = principal('clerk');
    expect(await codeOf(t.deps.applications.transition(clerk, id, 'rejected', '材料不齐'))).toBe('APPLICATION_ROLE_FORBIDDEN');
    expect(await codeOf(t.deps.applications.transition(clerk, id, 'accepted'))).toBe('ok');
    const state = await t.deps.applications.transition(clerk, id, 'in_review');
    expect(state.allowedTransitions).toEqual(['needs_info']); // approved/rejected are the supervisor's
    expect(await codeOf(t.deps.applications.transition(clerk, id, 'approved'))).toBe('APPLICATION_ROLE_FORBIDDEN');
    const sup = await t.deps.applications.transition(principal('supervisor'), id, 'approved');
    expect(sup.status).toBe('approved');
    expect(await codeOf(t.deps.applications.transition(clerk, id, 'completed'))).toBe('ok');
  });

  it.each(['needs_info', 'rejected'] as const)('%s needs a reason, which the citizen then reads', async (to) => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'in_review' });
    const clerk = principal('clerk');
    expect(await codeOf(t.deps.applications.transition(clerk, id, to))).toBe('APPLICATION_REASON_REQUIRED');
    expect(await codeOf(t.deps.applications.transition(clerk, id, to, '   '))).toBe('APPLICATION_REASON_REQUIRED');
    expect((await applicationRow(db, id)).status).toBe('in_review');
    await t.deps.applications.transition(clerk, id, to, '照片背景不是白色');
    const view = await t.deps.applications.getOwn(citizen, id);
    expect(view.reason).toBe('照片背景不是白色');
    expect(view.timeline.at(-1)).toMatchObject({ to, note: '照片背景不是白色', actor: 'staff' });
    const [notice] = await outboxRows(db, id);
    expect(notice?.payload).toMatchObject({ reason: '照片背景不是白色' });
  });
});
