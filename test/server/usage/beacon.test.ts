import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { usageEvents } from '../../../db/schema';
import { createTestApp } from '../../support/app';
import { testDb, uniq } from '../../support/db';
import { beaconEvent, fakeVisitId } from '../../support/factories';

const t = createTestApp({ env: { USAGE_BEACON_RATE_PER_MIN: '5' } });
afterAll(() => t.close());

const rowsByName = (name: string) => testDb().db.select().from(usageEvents).where(eq(usageEvents.name, name));
const post = (body: unknown, type = 'application/json') =>
  t.request
    .post('/api/usage/events')
    .set('content-type', type)
    .set('X-Forwarded-For', uniq('10.0.')) // not trusted (TRUST_PROXY off) — the limiter keys on the socket address
    .send(typeof body === 'string' ? body : JSON.stringify(body));

describe('POST /api/usage/events (H5 beacon)', () => {
  it('accepts a batch as sendBeacon sends it (text/plain) and as JSON; rows land with source h5', async () => {
    const name = uniq('h5.page');
    const visitId = fakeVisitId();
    const res = await post({ events: [beaconEvent({ name, visitId, menuKey: 'm_violations', menuVersion: 'v3' }), beaconEvent({ name, visitId, kind: 'task_start' })] }, 'Text/Plain;charset=utf-8');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ data: { accepted: 2 } });
    const res2 = await post({ events: [beaconEvent({ name, kind: 'no_result', props: { term: '驾照' } })] });
    expect(res2.status).toBe(202);
    await t.deps.usageRecorder.flush();
    const rows = await rowsByName(name);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.source === 'h5')).toBe(true);
    expect(rows.find((r) => r.kind === 'page_view')).toMatchObject({ visitId, menuKey: 'm_violations', menuVersion: 'v3', citizenKey: null });
    expect(rows.find((r) => r.kind === 'no_result')?.props).toEqual({ term: '驾照' });
  });

  it('rejects kinds a browser cannot honestly observe, and fields it may not set', async () => {
    for (const bad of [
      { events: [beaconEvent({ kind: 'follow' as never })] },
      { events: [{ ...beaconEvent(), source: 'wechat' }] },
      { events: [{ ...beaconEvent(), citizenKey: 'x' }] },
      { events: [{ ...beaconEvent(), openid: 'oABC' }] },
    ]) {
      const res = await post(bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('USAGE_BATCH_INVALID');
    }
  });

  it('says what is wrong with an invalid event', async () => {
    const res = await post({ events: [beaconEvent({ name: 'has spaces!' })] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('events.0.name');
  });

  it('bounds batches: empty, over 50 events, over 64 KB', async () => {
    expect((await post({ events: [] })).status).toBe(400);
    const tooMany = await post({ events: Array.from({ length: 51 }, () => beaconEvent()) });
    expect(tooMany.status).toBe(400);
    const huge = await post(JSON.stringify({ events: [beaconEvent()], pad: 'x'.repeat(70 * 1024) }), 'text/plain');
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('malformed JSON and other content types get clear errors', async () => {
    const bad = await post('{"events": [', 'text/plain');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_JSON');
    const form = await post('a=b', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
  });

  it('uses the server clock when the browser clock is far off, keeps it when plausible', async () => {
    const name = uniq('clock');
    const now = Date.now();
    await post({ events: [beaconEvent({ name, at: now - 5000, outcome: 'near' }), beaconEvent({ name, at: 946684800000, outcome: 'far' })] });
    await t.deps.usageRecorder.flush();
    const rows = await rowsByName(name);
    expect(rows.find((r) => r.outcome === 'near')?.occurredAt).toBe(now - 5000);
    expect(Math.abs(rows.find((r) => r.outcome === 'far')!.occurredAt - now)).toBeLessThan(60_000);
  });

  it('rate-limits one visit: 429 with Retry-After', async () => {
    const visitId = fakeVisitId();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await post({ events: [beaconEvent({ visitId })] })).status);
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const res = await post({ events: [beaconEvent({ visitId })] });
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // another visit is unaffected
    expect((await post({ events: [beaconEvent()] })).status).toBe(202);
  });

  it('counts every event of every visit in a batch (a fresh visit id first does not get the rest through)', async () => {
    const spent = fakeVisitId();
    expect((await post({ events: Array.from({ length: 5 }, () => beaconEvent({ visitId: spent })) })).status).toBe(202);
    const res = await post({ events: [beaconEvent(), beaconEvent({ visitId: spent })] });
    expect(res.status).toBe(429);
  });

  it('error answers are not cacheable either', async () => {
    const res = await post('{"events": [', 'text/plain');
    expect(res.status).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
