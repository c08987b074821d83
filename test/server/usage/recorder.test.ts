import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { connectDatabase } from '../../../db/connect';
import { usageEvents } from '../../../db/schema';
import { createPseudonymiser } from '../../../server/usage/pseudonym';
import { createUsageRecorder, type RecorderOptions } from '../../../server/usage/recorder';
import { captureLogger } from '../../support/app';
import { testDb, uniq } from '../../support/db';
import { fakeOpenid, usageInput } from '../../support/factories';

const pseudonymise = createPseudonymiser('test-secret-test-secret-test-secret');

function recorder(overrides: Partial<RecorderOptions> = {}) {
  const logs = captureLogger();
  const r = createUsageRecorder({
    db: testDb().db,
    logger: logs.logger,
    pseudonymise,
    batchSize: 100,
    flushIntervalMs: 60_000,
    bufferMax: 10_000,
    ...overrides,
  });
  return { r, logs };
}

const rowsByName = (name: string) => testDb().db.select().from(usageEvents).where(eq(usageEvents.name, name));

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('usage recorder', () => {
  it('writes in multi-row batches of at most batchSize', async () => {
    const { r } = recorder({ batchSize: 10 });
    const name = uniq('batch');
    for (let i = 0; i < 25; i++) r.record(usageInput({ name, props: { i } }));
    await r.flush();
    expect(r.stats().batches).toBe(3); // 10 + 10 + 5
    const rows = await rowsByName(name);
    expect(rows).toHaveLength(25);
    expect(rows.map((x) => x.props?.i).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(r.stats()).toMatchObject({ written: 25, buffered: 0, dropped: 0 });
    await r.close();
  });

  it('starts a flush by itself once a batch is full, without anyone awaiting it', async () => {
    const { r } = recorder({ batchSize: 5 });
    const name = uniq('size');
    for (let i = 0; i < 5; i++) r.record(usageInput({ name }));
    const rows = await waitFor(() => rowsByName(name), (x) => x.length === 5);
    expect(rows).toHaveLength(5);
    await r.close();
  });

  it('flushes on its interval when batches are not full', async () => {
    const { r } = recorder({ batchSize: 1000, flushIntervalMs: 50 });
    const name = uniq('interval');
    r.record(usageInput({ name }));
    r.record(usageInput({ name }));
    expect(await rowsByName(name)).toHaveLength(0); // nothing written synchronously
    const rows = await waitFor(() => rowsByName(name), (x) => x.length === 2);
    expect(rows).toHaveLength(2);
    await r.close();
  });

  it('close() writes what is buffered; later events are dropped and counted', async () => {
    const { r } = recorder({ batchSize: 1000 });
    const name = uniq('close');
    for (let i = 0; i < 7; i++) r.record(usageInput({ name }));
    await r.close();
    expect(await rowsByName(name)).toHaveLength(7);
    r.record(usageInput({ name }));
    expect(r.stats().dropped).toBe(1);
    expect(await rowsByName(name)).toHaveLength(7);
  });

  it('a full buffer drops new events, counts them and warns once, never throws', async () => {
    const { r, logs } = recorder({ batchSize: 1000, bufferMax: 10 });
    const name = uniq('overflow');
    for (let i = 0; i < 15; i++) expect(() => r.record(usageInput({ name }))).not.toThrow();
    expect(r.stats()).toMatchObject({ buffered: 10, dropped: 5 });
    const warnings = logs.records().filter((l) => l.msg === 'usage events dropped');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: 'buffer full' });
    await r.close();
    expect(await rowsByName(name)).toHaveLength(10);
  });

  it('stores a keyed pseudonym of the openid, never the openid itself', async () => {
    const { r } = recorder();
    const name = uniq('pseudo');
    const openid = fakeOpenid();
    r.record(usageInput({ name, openid }));
    r.record(usageInput({ name, openid }));
    r.record(usageInput({ name, openid: fakeOpenid() }));
    await r.close();
    const rows = await rowsByName(name);
    const keys = rows.map((x) => x.citizenKey);
    expect(new Set(keys).size).toBe(2); // same citizen, same key; another citizen, another key
    expect(keys).toContain(pseudonymise(openid));
    expect(JSON.stringify(rows)).not.toContain(openid);
    expect(createPseudonymiser('another-secret-another-secret-000')(openid)).not.toBe(pseudonymise(openid));
  });

  it('cuts over-long values to their columns instead of failing the batch', async () => {
    const { r } = recorder();
    const name = uniq('long');
    r.record(usageInput({ name, menuKey: 'k'.repeat(200), outcome: 'o'.repeat(100), durationMs: -5 }));
    await r.close();
    const [row] = await rowsByName(name);
    expect(row?.menuKey).toHaveLength(64);
    expect(row?.outcome).toHaveLength(24);
    expect(row?.durationMs).toBe(0);
  });

  it('a failing database: retries the batch, then gives it up and counts it, without throwing', async () => {
    const dead = connectDatabase('mysql://root@127.0.0.1:1/nowhere', 1);
    const { r, logs } = recorder({ db: dead.db, maxAttempts: 2 });
    r.record(usageInput());
    r.record(usageInput());
    await r.flush();
    expect(r.stats()).toMatchObject({ failedFlushes: 1, buffered: 2, dropped: 0 });
    await r.flush();
    expect(r.stats()).toMatchObject({ failedFlushes: 2, buffered: 0, dropped: 2 });
    expect(logs.records().some((l) => l.msg === 'usage flush failed')).toBe(true);
    await r.close();
    await dead.close();
  });

  it('during an outage, full batches do not set off a retry per event: retries wait an interval', async () => {
    const dead = connectDatabase('mysql://root@127.0.0.1:1/nowhere', 1);
    const { r } = recorder({ db: dead.db, batchSize: 5, flushIntervalMs: 60_000, maxAttempts: 100 });
    for (let i = 0; i < 5; i++) r.record(usageInput()); // a full batch starts a flush, which fails
    await new Promise((res) => setTimeout(res, 100));
    expect(r.stats().failedFlushes).toBe(1);
    for (let i = 0; i < 50; i++) r.record(usageInput()); // ten more full batches' worth
    await new Promise((res) => setTimeout(res, 100));
    expect(r.stats()).toMatchObject({ failedFlushes: 1, buffered: 55, dropped: 0 });
    await dead.close();
  });

  it('when disabled, records nothing', async () => {
    const { r } = recorder({ enabled: false });
    const name = uniq('off');
    r.record(usageInput({ name }));
    await r.close();
    expect(await rowsByName(name)).toHaveLength(0);
    expect(r.stats()).toMatchObject({ enabled: false, written: 0, dropped: 0 });
  });

  it('events recorded while a flush is in progress are written by the next one', async () => {
    const { r } = recorder({ batchSize: 3 });
    const name = uniq('during');
    for (let i = 0; i < 3; i++) r.record(usageInput({ name })); // starts a flush
    for (let i = 0; i < 2; i++) r.record(usageInput({ name })); // arrive during it
    await r.flush();
    const rows = await testDb().db.select().from(usageEvents).where(inArray(usageEvents.name, [name]));
    expect(rows).toHaveLength(5);
    await r.close();
  });
});
