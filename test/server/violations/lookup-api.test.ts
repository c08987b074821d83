import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../../db/connect';
import { driverLicences, usageEvents, vehicleBindings } from '../../../db/schema';
import { createLogger } from '../../../server/logger';
import { createUsageRecorder } from '../../../server/usage/recorder';
import { createViolationService } from '../../../server/violations/service';
import { createTestApp, type TestApp } from '../../support/app';
import { signedInAgent } from '../../support/citizen-agent';
import { testDb, uniq, workerDatabaseUrl } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { makeVehicle, randomPlate } from './fixtures';

let t: TestApp;
beforeAll(() => {
  t = createTestApp({ env: { LOOKUP_FAILED_PROOF_LIMIT: '3', LOOKUP_BLOCK_MINUTES: '10' } });
});
afterAll(() => t.close());

const db = () => testDb().db;
const suffix = (s: string) => s.slice(-6);

/** No personal data of the vehicle may appear anywhere in a response. */
function expectNoPersonalData(body: unknown, v: { vin: string; engineNo: string; ownerName: string; plateNo: string }) {
  const text = JSON.stringify(body);
  expect(text).not.toContain(v.vin);
  expect(text).not.toContain(suffix(v.vin));
  expect(text).not.toContain(v.engineNo);
  expect(text).not.toContain(v.ownerName);
  expect(text).not.toContain(v.plateNo);
  expect(text).not.toMatch(/vin|engine|owner/i);
}

describe('GET /api/h5/violations', () => {
  it('needs a signed-in citizen', async () => {
    const res = await t.request.get('/api/h5/violations').query({ plateType: '02', plateNo: '粤B8K2M7', vinSuffix: '123456' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('CITIZEN_AUTH_REQUIRED');
  });

  it('with the VIN suffix: records, totals by status, masked plate, no VIN/engine/owner', async () => {
    const v = await makeVehicle(db(), {
      violations: [
        { status: 'unprocessed', points: 6, fineYuan: 200 },
        { status: 'processed', points: 3, fineYuan: 200 },
        { status: 'paid', points: 0, fineYuan: 150 },
      ],
    });
    const { agent } = await signedInAgent(t);
    const res = await agent.get('/api/h5/violations').query({ plateType: '2', plateNo: ` ${v.plateNo.toLowerCase()} `, vinSuffix: suffix(v.vin) });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data.vehicle).toEqual({ plateType: '02', plateTypeName: '小型汽车', plateNo: `${v.plateNo.slice(0, 2)}·${v.plateNo[2]}**${v.plateNo.slice(-2)}`, bound: false });
    expect(data.violations).toHaveLength(3);
    expect(data.violations[0]).toMatchObject({ occurredAt: '2026-01-03T02:30:00.000Z', location: '示范市测试路3号', behaviour: '驾驶机动车违反道路交通信号灯通行的', points: 0, fineYuan: 150, status: 'paid' });
    expect(data.totals).toEqual({
      count: 3,
      points: 9,
      fineYuan: 550,
      unprocessed: { count: 1, points: 6, fineYuan: 200 },
      processed: { count: 1, points: 3, fineYuan: 200 },
      paid: { count: 1, points: 0, fineYuan: 150 },
    });
    expectNoPersonalData(res.body, v);
  });

  it('the engine-number suffix is proof too', async () => {
    const v = await makeVehicle(db(), { violations: [{ status: 'unprocessed', points: 1, fineYuan: 50 }] });
    const { agent } = await signedInAgent(t);
    const res = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.engineNo) });
    expect(res.status).toBe(200);
    expect(res.body.data.violations).toHaveLength(1);
  });

  it('without proof for a vehicle that is not bound: 400 asking for the suffix', async () => {
    const v = await makeVehicle(db());
    const { agent } = await signedInAgent(t);
    const res = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VIOLATION_PROOF_REQUIRED', message: '请输入车辆识别代号（车架号）或发动机号的后6位。' });
  });

  it('a wrong suffix and an unknown plate get the same 422', async () => {
    const v = await makeVehicle(db());
    const { agent } = await signedInAgent(t);
    const wrong = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo, vinSuffix: '000000' });
    const unknown = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: randomPlate(), vinSuffix: suffix(v.vin) });
    expect(wrong.status).toBe(422);
    expect(unknown.status).toBe(422);
    expect(wrong.body.error.code).toBe('VIOLATION_PROOF_FAILED');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('an invalid plate gets 400 with what is wrong', async () => {
    const { agent } = await signedInAgent(t);
    const res = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: '粤B1234O', vinSuffix: '123456' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VIOLATION_PLATE_INVALID', message: '号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0' });
  });

  it('enumeration: after N failed proofs the citizen is blocked (429, Retry-After), on any plate', async () => {
    const v = await makeVehicle(db());
    const other = await makeVehicle(db());
    const { agent } = await signedInAgent(t);
    for (let i = 0; i < 3; i++) {
      const res = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: randomPlate(), vinSuffix: '00000' + i });
      expect(res.status).toBe(422);
    }
    const blocked = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('VIOLATION_LOOKUP_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(500);
    const alsoBlocked = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: other.plateNo, vinSuffix: suffix(other.vin) });
    expect(alsoBlocked.status).toBe(429);
  });

  it('enumeration: failed proofs on one plate from many citizens block that plate for everyone', async () => {
    const v = await makeVehicle(db());
    for (let i = 0; i < 3; i++) {
      const { agent } = await signedInAgent(t);
      expect((await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo, vinSuffix: 'ZZZZZ' + i })).status).toBe(422);
    }
    const { agent: owner } = await signedInAgent(t);
    const res = await owner.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) });
    expect(res.status).toBe(429);
    // another plate is still fine for that citizen
    const w = await makeVehicle(db());
    expect((await owner.get('/api/h5/violations').query({ plateType: '02', plateNo: w.plateNo, vinSuffix: suffix(w.vin) })).status).toBe(200);
  });

  it('a lookup with no records answers 200 with nothing and is recorded as usage no_result (no plate in the log)', async () => {
    const v = await makeVehicle(db());
    const { agent, citizen } = await signedInAgent(t);
    const res = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) });
    expect(res.status).toBe(200);
    expect(res.body.data.violations).toEqual([]);
    expect(res.body.data.totals.count).toBe(0);
    await t.deps.usageRecorder.flush();
    const rows = await db()
      .select()
      .from(usageEvents)
      .where(eq(usageEvents.citizenKey, t.deps.pseudonymise(citizen.openid)));
    expect(rows).toEqual([expect.objectContaining({ kind: 'no_result', source: 'api', name: 'violations.lookup', outcome: 'no_violations' })]);
    expect(JSON.stringify(rows)).not.toContain(v.plateNo);
  });

  it('a bound vehicle with no records, looked up by its binding id: 200, empty, zero totals', async () => {
    const v = await makeVehicle(db());
    const { agent } = await signedInAgent(t);
    const bound = await agent.post('/api/h5/vehicles').send({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) });
    expect(bound.status).toBe(201);
    const res = await agent.get('/api/h5/violations').query({ vehicleId: bound.body.data.id });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ vehicle: { plateType: '02', bound: true }, violations: [], totals: { count: 0, points: 0, fineYuan: 0 } });
    expect(res.body.data.vehicle.plateNo).not.toBe(v.plateNo); // masked
  });
});

describe('the limit holds across instances', () => {
  let a: DatabaseHandle;
  let b: DatabaseHandle;
  beforeAll(() => {
    a = connectDatabase(workerDatabaseUrl(), 2);
    b = connectDatabase(workerDatabaseUrl(), 2);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('failures counted on two service instances with separate pools add up; both then refuse', async () => {
    const logger = createLogger({ level: 'silent' });
    const limits = { failedProofLimit: 4, failedProofWindowMinutes: 15, blockMinutes: 5, bindMax: 5 };
    const make = (h: DatabaseHandle) =>
      createViolationService({ db: h.db, limits, usage: createUsageRecorder({ db: h.db, logger, pseudonymise: (s) => s.slice(0, 22), enabled: false, batchSize: 10, flushIntervalMs: 60_000, bufferMax: 100 }) });
    const s1 = make(a);
    const s2 = make(b);
    const v = await makeVehicle(db());
    const citizen = await makeCitizen(db());
    const me = { id: citizen.id, openid: citizen.openid };
    for (const s of [s1, s2, s1, s2]) {
      await expect(s.lookup(me, { plateType: '02', plateNo: randomPlate(), vinSuffix: uniq('').slice(0, 6).toUpperCase() })).rejects.toMatchObject({ code: 'VIOLATION_PROOF_FAILED' });
    }
    for (const s of [s1, s2]) {
      await expect(s.lookup(me, { plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) })).rejects.toMatchObject({ code: 'VIOLATION_LOOKUP_LIMITED', status: 429 });
    }
  });

  it('the block ends after its time, and the window restarts', async () => {
    let clock = Date.UTC(2026, 5, 1);
    const limits = { failedProofLimit: 2, failedProofWindowMinutes: 10, blockMinutes: 5, bindMax: 5 };
    const usage = createUsageRecorder({ db: a.db, logger: createLogger({ level: 'silent' }), pseudonymise: (s) => s.slice(0, 22), enabled: false, batchSize: 10, flushIntervalMs: 60_000, bufferMax: 100 });
    const s = createViolationService({ db: a.db, limits, usage, now: () => clock });
    const v = await makeVehicle(db());
    const c = await makeCitizen(db());
    const me = { id: c.id, openid: c.openid };
    const fail = () => s.lookup(me, { plateType: '02', plateNo: v.plateNo, vinSuffix: 'WRONG1' });
    await expect(fail()).rejects.toMatchObject({ code: 'VIOLATION_PROOF_FAILED' });
    await expect(fail()).rejects.toMatchObject({ code: 'VIOLATION_PROOF_FAILED' });
    await expect(s.lookup(me, { plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) })).rejects.toMatchObject({ code: 'VIOLATION_LOOKUP_LIMITED' });
    clock += 16 * 60_000; // block (5 min) and window (10 min) both over
    await expect(s.lookup(me, { plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) })).resolves.toMatchObject({ violations: [] });
    await expect(fail()).rejects.toMatchObject({ code: 'VIOLATION_PROOF_FAILED' }); // counts from 1 again
    await expect(s.lookup(me, { plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) })).resolves.toBeDefined();
  });
});

describe('vehicles', () => {
  it('bind with proof, list masked, look up without the suffix, unbind; another citizen gets 404', async () => {
    const v = await makeVehicle(db(), { violations: [{ status: 'unprocessed', points: 3, fineYuan: 200 }] });
    const { agent, citizen } = await signedInAgent(t);
    const { agent: stranger } = await signedInAgent(t);

    const bound = await agent.post('/api/h5/vehicles').send({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin).toLowerCase() });
    expect(bound.status).toBe(201);
    expect(bound.body.data).toMatchObject({ plateType: '02', plateTypeName: '小型汽车', unprocessedCount: 1 });
    const id = bound.body.data.id as number;
    expectNoPersonalData(bound.body, v);

    const again = await agent.post('/api/h5/vehicles').send({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('VEHICLE_ALREADY_BOUND');

    const list = await agent.get('/api/h5/vehicles');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([expect.objectContaining({ id, plateNo: bound.body.data.plateNo })]);
    expectNoPersonalData(list.body, v);

    const noSuffix = await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo });
    expect(noSuffix.status).toBe(200);
    expect(noSuffix.body.data.vehicle.bound).toBe(true);
    expect(noSuffix.body.data.violations).toHaveLength(1);
    expectNoPersonalData(noSuffix.body, v);
    const byId = await agent.get('/api/h5/violations').query({ vehicleId: id });
    expect(byId.status).toBe(200);
    expect(byId.body.data.totals.count).toBe(1);
    // the one-statement path for a bound vehicle answers exactly what the plate path answers
    expect(byId.body.data).toEqual(noSuffix.body.data);

    // someone else's vehicle: not listed, not reachable by id, not deletable, still needs proof
    expect((await stranger.get('/api/h5/vehicles')).body.data).toEqual([]);
    const theirs = await stranger.get('/api/h5/violations').query({ vehicleId: id });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('VEHICLE_NOT_FOUND');
    expect((await stranger.delete(`/api/h5/vehicles/${id}`)).status).toBe(404);
    expect((await stranger.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo })).status).toBe(400);

    const del = await agent.delete(`/api/h5/vehicles/${id}`);
    expect(del.status).toBe(204);
    expect((await agent.get('/api/h5/vehicles')).body.data).toEqual([]);
    expect((await agent.get('/api/h5/violations').query({ plateType: '02', plateNo: v.plateNo })).status).toBe(400);
    expect((await agent.delete(`/api/h5/vehicles/${id}`)).status).toBe(404);
    void citizen;
  });

  it('binding needs the right proof', async () => {
    const v = await makeVehicle(db());
    const { agent } = await signedInAgent(t);
    const res = await agent.post('/api/h5/vehicles').send({ plateType: '02', plateNo: v.plateNo, vinSuffix: '999999' });
    expect(res.status).toBe(422);
    expect((await agent.get('/api/h5/vehicles')).body.data).toEqual([]);
  });

  it('bindings are erased when the citizen unfollows', async () => {
    const v = await makeVehicle(db());
    const { agent, citizen } = await signedInAgent(t);
    expect((await agent.post('/api/h5/vehicles').send({ plateType: '02', plateNo: v.plateNo, vinSuffix: suffix(v.vin) })).status).toBe(201);
    await t.deps.citizens.unfollowed(citizen.openid, new Date());
    const rows = await db().select().from(vehicleBindings).where(and(eq(vehicleBindings.citizenId, citizen.id)));
    expect(rows).toEqual([]);
  });
});

describe('GET /api/h5/licence', () => {
  it("the citizen's own licence points, masked number; 404 without one", async () => {
    const { agent, citizen } = await signedInAgent(t);
    const { agent: none } = await signedInAgent(t);
    await db()
      .insert(driverLicences)
      .values({ licenceNoHash: uniq('h').padEnd(64, '0'), licenceNoMasked: '4403**********0011', vehicleClass: 'C1', citizenId: citizen.id, pointsInCycle: 6, cycleStart: '2026-05-12', cycleEnd: '2027-05-11' });
    const res = await agent.get('/api/h5/licence');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ licenceNo: '4403**********0011', vehicleClass: 'C1', pointsInCycle: 6, pointsLimit: 12, cycleStart: '2026-05-12', cycleEnd: '2027-05-11', status: 'normal' });
    const missing = await none.get('/api/h5/licence');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('LICENCE_NOT_FOUND');
  });
});
