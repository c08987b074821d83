import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplicationService } from '../../../server/applications/service';
import { createAttachmentStore } from '../../../server/applications/attachments';
import { AppError } from '../../../server/http/errors';
import type { NotificationOutbox } from '../../../server/notifications/types';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { applicationRow, auditRows, createApplicationsTestApp, makeApplication, makeType, outboxRows, principal, transitionRows } from './fixtures';

const t = createApplicationsTestApp();
const db = testDb().db;
let citizen: { id: number; openid: string };
let typeId: number;
afterAll(() => t.close());
beforeAll(async () => {
  const c = await makeCitizen(db);
  citizen = { id: c.id, openid: c.openid };
  typeId = (await makeType(db)).id;
});

const settle = async (ps: Promise<unknown>[]) =>
  (await Promise.allSettled(ps)).map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? r.reason.code : String(r.reason)));

describe('racing transitions', () => {
  it('five clerks accepting at once: exactly one succeeds, one timeline row, one notification', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'submitted' });
      const results = await settle(Array.from({ length: 5 }, () => t.deps.applications.transition(principal('clerk'), id, 'accepted')));
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r === 'APPLICATION_TRANSITION_NOT_ALLOWED')).toHaveLength(4);
      expect((await transitionRows(db, id)).map((r) => r.toStatus)).toEqual(['submitted', 'accepted']);
      expect(await outboxRows(db, id)).toHaveLength(1);
      expect(await auditRows(db, 'application', id, 'application.transition')).toHaveLength(1);
    }
  });

  it('approve and reject at the same moment: one decision, never both', async () => {
    for (let round = 0; round < 8; round++) {
      const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'in_review' });
      const results = await settle([
        t.deps.applications.transition(principal('clerk'), id, 'approved'),
        t.deps.applications.transition(principal('supervisor'), id, 'rejected', '不符合条件'),
      ]);
      expect(results.sort()).toEqual(['APPLICATION_TRANSITION_NOT_ALLOWED', 'ok']);
      const row = await applicationRow(db, id);
      const outbox = await outboxRows(db, id);
      expect(outbox).toHaveLength(1);
      expect(outbox[0]!.kind).toBe(`application.${row.status}`);
      expect(await transitionRows(db, id)).toHaveLength(2);
    }
  });

  it('the citizen withdrawing while a clerk accepts: one of them wins, the state is consistent', async () => {
    for (let round = 0; round < 8; round++) {
      const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'submitted' });
      const results = await settle([t.deps.applications.withdraw(citizen, id), t.deps.applications.transition(principal('clerk'), id, 'accepted')]);
      const row = await applicationRow(db, id);
      const trans = await transitionRows(db, id);
      if (row.status === 'withdrawn') {
        // withdrawing after acceptance is still allowed, so both may succeed in that order
        expect(trans.map((r) => r.toStatus).at(-1)).toBe('withdrawn');
      } else {
        expect(row.status).toBe('accepted');
        expect(results[0]).toBe('APPLICATION_TRANSITION_NOT_ALLOWED');
      }
      expect(trans.map((r) => r.seq)).toEqual(trans.map((_, i) => i + 1));
      expect(row.transitionSeq).toBe(trans.length);
    }
  });

  it('one rating per stage even when the same rating is sent twice at once', async () => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'accepted', acceptedAt: new Date() });
    const results = await settle([1, 2, 3].map(() => t.deps.applications.rate(citizen, id, { stage: 'accepted', score: 1 })));
    expect(results.sort()).toEqual(['APPLICATION_ALREADY_RATED', 'APPLICATION_ALREADY_RATED', 'ok']);
    const fus = (await t.deps.applications.listFollowUps({ status: 'open', page: 1, pageSize: 100 })).items.filter((f) => f.applicationId === id);
    expect(fus).toHaveLength(1);
    const closes = await settle([0, 1].map(() => t.deps.applications.closeFollowUp(principal('clerk'), fus[0]!.id, '已回访')));
    expect(closes.sort()).toEqual(['FOLLOW_UP_CLOSED', 'ok']);
  });
});

describe('the outbox row shares the transition’s transaction', () => {
  function serviceWithOutbox(outbox: Pick<NotificationOutbox, 'enqueue'>) {
    return createApplicationService({
      db,
      calendar: t.deps.calendar,
      audit: t.deps.audit,
      notifications: outbox,
      attachments: createAttachmentStore({ db, dir: t.attachmentsDir, maxBytes: 1024 }),
      staffLookup: async () => undefined,
      appointmentsOn: async () => 0,
      followUpWorkingDays: 5,
    });
  }

  it('commits with the transition: the row is there with its dedupe key and the citizen-facing fields', async () => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'in_review', seq: 4 });
    await t.deps.applications.transition(principal('clerk'), id, 'needs_info', '请补充行驶证照片');
    const rows = await outboxRows(db, id);
    expect(rows).toHaveLength(1);
    const row = await applicationRow(db, id);
    expect(rows[0]).toMatchObject({
      dedupeKey: `application:${id}:needs_info:5`,
      kind: 'application.needs_info',
      citizenId: citizen.id,
      status: 'queued',
      payload: expect.objectContaining({ applicationId: id, applicationNo: row.applicationNo, reason: '请补充行驶证照片', typeName: '测试事项' }),
    });
  });

  it('rolls back with it: a failure after the enqueue leaves no outbox row, no timeline row, no audit row and the old state', async () => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'submitted' });
    const failing = serviceWithOutbox({
      async enqueue(exec, event) {
        await t.deps.notifications.enqueue(exec, event); // the real insert, on the transaction
        expect((await outboxRows(db, id)).length).toBe(0); // not visible outside before commit
        throw new Error('crash after the outbox insert');
      },
    });
    await expect(failing.transition(principal('clerk'), id, 'accepted')).rejects.toThrow('crash after the outbox insert');
    expect(await outboxRows(db, id)).toEqual([]);
    expect((await applicationRow(db, id)).status).toBe('submitted');
    expect(await transitionRows(db, id)).toHaveLength(1);
    expect(await auditRows(db, 'application', id, 'application.transition')).toEqual([]);

    // and the same move through the real outbox afterwards goes through once
    await t.deps.applications.transition(principal('clerk'), id, 'accepted');
    expect((await outboxRows(db, id)).map((r) => r.dedupeKey)).toEqual([`application:${id}:accepted:2`]);
  });

  it('a failing outbox fails the transition (never a state change without its notification)', async () => {
    const id = await makeApplication(db, { citizenId: citizen.id, typeId, status: 'approved' });
    const broken = serviceWithOutbox({ enqueue: async () => Promise.reject(new Error('outbox down')) });
    await expect(broken.transition(principal('clerk'), id, 'completed')).rejects.toThrow('outbox down');
    expect((await applicationRow(db, id)).status).toBe('approved');
  });
});
