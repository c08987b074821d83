import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../../db/connect';
import { appointments } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../support/app';
import { signedInAgent } from '../../support/citizen-agent';
import { workerDatabaseUrl } from '../../support/db';
import { makeOffice, makeService, makeSlot, slotRow } from './fixtures';

/**
 * Real races over HTTP against MariaDB: a pool wide enough that many transactions really run at
 * once (the shared test pool has 5 connections).
 */
let handle: DatabaseHandle;
let t: TestApp;
beforeAll(() => {
  handle = connectDatabase(workerDatabaseUrl(), 40);
  t = createTestApp({ db: handle.db });
});
afterAll(async () => {
  await t.close();
  await handle.close();
});
const db = () => handle.db;
const inDays = (n: number, hour = 0) => new Date(Date.now() + n * 86_400_000 + hour * 3600_000);

async function setup(capacity: number, booked = 0) {
  const service = await makeService(db());
  const office = await makeOffice(db());
  const slot = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: inDays(3), capacity, booked });
  return { service, office, slot };
}

const codes = (rs: { status: number; body: { error?: { code: string } } }[]) => rs.map((r) => (r.status === 201 || r.status === 200 ? 'ok' : r.body.error?.code));
const tally = (xs: (string | undefined)[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [String(x)]: (m[String(x)] ?? 0) + 1 }), {});

describe('capacity under concurrency', () => {
  it('50 citizens for the last 3 seats: exactly 3 succeed, the rest 409 APPOINTMENT_SLOT_FULL', async () => {
    const { slot } = await setup(10, 7);
    const agents = await Promise.all(Array.from({ length: 50 }, () => signedInAgent(t)));
    const results = await Promise.all(agents.map(({ agent }) => agent.post('/api/h5/appointments').send({ slotId: slot.id })));
    const errors = t.logs.records().filter((r) => Number(r.level) >= 50);
    expect(tally(codes(results)), JSON.stringify(errors).slice(0, 2000)).toEqual({ ok: 3, APPOINTMENT_SLOT_FULL: 47 });
    expect(results.filter((r) => r.status === 409)).toHaveLength(47);
    const row = await slotRow(db(), slot.id);
    expect(row.booked).toBe(10);
    expect(await db().select().from(appointments).where(eq(appointments.slotId, slot.id))).toHaveLength(3);
    const confirmation = new Set(results.filter((r) => r.status === 201).map((r) => r.body.data.confirmationCode));
    expect(confirmation.size).toBe(3);
  });

  it('one citizen double-submitting the same booking: exactly one', async () => {
    const { slot } = await setup(5);
    const { agent, citizen } = await signedInAgent(t);
    const results = await Promise.all(Array.from({ length: 10 }, () => agent.post('/api/h5/appointments').send({ slotId: slot.id })));
    const c = codes(results);
    expect(c.filter((x) => x === 'ok')).toHaveLength(1);
    expect(c.every((x) => x === 'ok' || x === 'APPOINTMENT_SERVICE_LIMIT' || x === 'APPOINTMENT_DAY_LIMIT')).toBe(true);
    expect((await slotRow(db(), slot.id)).booked).toBe(1);
    expect(await db().select().from(appointments).where(eq(appointments.citizenId, citizen.id))).toHaveLength(1);
  });

  it('one citizen booking two slots of one service at once: exactly one', async () => {
    const { service, office, slot } = await setup(5);
    const other = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: inDays(4), capacity: 5 });
    const { agent, citizen } = await signedInAgent(t);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => agent.post('/api/h5/appointments').send({ slotId: i % 2 ? slot.id : other.id })),
    );
    expect(codes(results).filter((x) => x === 'ok')).toHaveLength(1);
    expect((await slotRow(db(), slot.id)).booked + (await slotRow(db(), other.id)).booked).toBe(1);
    expect(await db().select().from(appointments).where(eq(appointments.citizenId, citizen.id))).toHaveLength(1);
  });

  it('two citizens rescheduling into the last seat: one moves, the other keeps the old booking', async () => {
    const { service, office, slot } = await setup(5);
    const last = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: inDays(5), capacity: 3, booked: 2 });
    const a = await signedInAgent(t);
    const b = await signedInAgent(t);
    const ba = (await a.agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    const bb = (await b.agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    const results = await Promise.all([
      a.agent.post(`/api/h5/appointments/${ba.id}/reschedule`).send({ slotId: last.id }),
      b.agent.post(`/api/h5/appointments/${bb.id}/reschedule`).send({ slotId: last.id }),
    ]);
    expect(codes(results).sort()).toEqual(['APPOINTMENT_SLOT_FULL', 'ok']);
    const loser = results[0]!.status === 200 ? { agent: b.agent, id: bb.id } : { agent: a.agent, id: ba.id };
    expect((await loser.agent.get(`/api/h5/appointments/${loser.id}`)).body.data).toMatchObject({ status: 'booked', slotId: slot.id });
    expect((await slotRow(db(), last.id)).booked).toBe(3);
    expect((await slotRow(db(), slot.id)).booked).toBe(1);
  });

  it('one booking rescheduled to two slots at once: it ends up in exactly one place', async () => {
    const { service, office, slot } = await setup(5);
    const x = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: inDays(5), capacity: 5 });
    const y = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: inDays(6), capacity: 5 });
    const { agent } = await signedInAgent(t);
    const booked = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    const results = await Promise.all([
      agent.post(`/api/h5/appointments/${booked.id}/reschedule`).send({ slotId: x.id }),
      agent.post(`/api/h5/appointments/${booked.id}/reschedule`).send({ slotId: y.id }),
      agent.post(`/api/h5/appointments/${booked.id}/reschedule`).send({ slotId: x.id }),
    ]);
    expect(codes(results).filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(1);
    const seats = [(await slotRow(db(), slot.id)).booked, (await slotRow(db(), x.id)).booked, (await slotRow(db(), y.id)).booked];
    expect(seats.reduce((s, n) => s + n, 0)).toBe(1);
    const now = (await agent.get(`/api/h5/appointments/${booked.id}`)).body.data;
    expect(seats[[slot.id, x.id, y.id].indexOf(now.slotId)]).toBe(1);
  });

  it('cancel racing a reschedule never loses or duplicates a seat', async () => {
    const { service, office, slot } = await setup(5);
    const x = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: inDays(5), capacity: 5 });
    const { agent } = await signedInAgent(t);
    const booked = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    await Promise.all([agent.post(`/api/h5/appointments/${booked.id}/reschedule`).send({ slotId: x.id }), agent.post(`/api/h5/appointments/${booked.id}/cancel`)]);
    const final = (await agent.get(`/api/h5/appointments/${booked.id}`)).body.data;
    const seats = (await slotRow(db(), slot.id)).booked + (await slotRow(db(), x.id)).booked;
    expect(final.status).toBe('cancelled');
    expect(seats).toBe(0);
  });
});
