import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../support/app';
import { signedInAgent } from '../../support/citizen-agent';
import { testDb } from '../../support/db';
import { at, makeOffice, makeService, makeSlot } from './fixtures';

/** Tuesday 2026-09-15 08:00 Asia/Shanghai. */
const clock = { t: Date.parse('2026-09-15T00:00:00Z') };
let t: TestApp;
beforeAll(() => {
  t = createTestApp({ now: () => clock.t });
});
afterAll(() => t.close());
const db = () => testDb().db;
const rowsFor = (citizenId: number) => db().select().from(notifications).where(eq(notifications.citizenId, citizenId));

describe('appointment notifications go through the outbox with the change', () => {
  it('booked, rescheduled and cancelled each enqueue one message; a refused booking enqueues none', async () => {
    const service = await makeService(db(), { name: '驾驶证期满换证' });
    const office = await makeOffice(db(), { name: '示范市车管所南山分所' });
    const full = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-17', 9, 0), capacity: 1, booked: 1 });
    const a = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-17', 9, 30) });
    const b = await makeSlot(db(), { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-18', 10, 0) });
    const { agent, citizen } = await signedInAgent(t);

    expect((await agent.post('/api/h5/appointments').send({ slotId: full.id })).status).toBe(409);
    expect(await rowsFor(citizen.id)).toEqual([]); // the refused transaction left nothing behind

    const booked = await agent.post('/api/h5/appointments').send({ slotId: a.id });
    expect(booked.status).toBe(201);
    const id = booked.body.data.id as number;
    let rows = await rowsFor(citizen.id);
    expect(rows).toEqual([
      expect.objectContaining({
        kind: 'appointment.booked',
        payload: expect.objectContaining({ appointmentId: id, serviceName: '驾驶证期满换证', officeName: '示范市车管所南山分所', confirmationCode: booked.body.data.confirmationCode }),
      }),
    ]);

    expect((await agent.post(`/api/h5/appointments/${id}/reschedule`).send({ slotId: b.id })).status).toBe(200);
    expect((await agent.post(`/api/h5/appointments/${id}/cancel`)).status).toBe(200);
    rows = await rowsFor(citizen.id);
    expect(rows.map((r) => r.kind).sort()).toEqual(['appointment.booked', 'appointment.booked', 'appointment.cancelled']);
    const moved = rows.find((r) => r.kind === 'appointment.booked' && r.payload.startsAt === at('2026-09-18', 10, 0).toISOString());
    expect(moved).toBeDefined();
    expect(new Set(rows.map((r) => r.dedupeKey)).size).toBe(3);
  });
});
