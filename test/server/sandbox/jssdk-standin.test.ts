import { eq } from 'drizzle-orm';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offices, wechatCredentials } from '../../../db/schema';
import { DEMO_OFFICES, seedDemoOfficeLocations } from '../../../db/seed/demo-appointments';
import { jssdkSignature } from '../../../server/wechat/jssdk';
import { testDb, uniq } from '../../support/db';
import { startTestServer } from '../../support/server';

/**
 * The JS-SDK stand-in: the portal signs a page with its shared jsapi ticket
 * (`/api/h5/jssdk-config`), and the simulator checks that signature as WeChat does
 * (`/sandbox/api/jssdk/verify`, called by `/sandbox/jweixin.js`'s wx.config).
 */
let srv: Awaited<ReturnType<typeof startTestServer>>;
let http: supertest.Agent;

beforeAll(async () => {
  // A ticket cached by an earlier app on this database is unknown to this app's simulator.
  await testDb().db.delete(wechatCredentials);
  srv = await startTestServer();
  http = supertest.agent(srv.t.app.callback());
});
afterAll(() => srv?.close());

async function signed(url: string) {
  const res = await http.get('/api/h5/jssdk-config').query({ url });
  expect(res.status).toBe(200);
  return res.body.data as { appId: string; timestamp: number; nonceStr: string; signature: string };
}

const verify = (body: Record<string, unknown>) => http.post('/sandbox/api/jssdk/verify').send(body);

describe('sandbox JS-SDK stand-in', () => {
  it('serves the stand-in script defining wx with config, ready, error and openLocation', async () => {
    const res = await http.get('/sandbox/jweixin.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    for (const name of ['config:', 'ready:', 'error:', 'openLocation:', '/sandbox/api/jssdk/verify']) expect(res.text).toContain(name);
  });

  it('a config signed by the portal for the checked URL is ok', async () => {
    const url = `${srv.base}/h5/appointments/office?service=licence_renewal`;
    const c = await signed(`${url}#frag`);
    const res = await verify({ ...c, timestamp: String(c.timestamp), url, jsApiList: ['openLocation'] });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ errMsg: 'config:ok' });
  });

  it('a tampered signature, another URL (the iOS landing-URL trap), or a wrong appId is "invalid signature"', async () => {
    const landing = `${srv.base}/h5/?menu=home`;
    const current = `${srv.base}/h5/appointments/mine/1`;
    const c = await signed(current);
    const base = { ...c, timestamp: String(c.timestamp) };
    const flipped = c.signature.replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
    for (const body of [
      { ...base, signature: flipped, url: current },
      { ...base, url: landing }, // signed the current URL, but WeChat (iOS) checks the landing one
      { ...base, nonceStr: `${c.nonceStr}x`, url: current },
      { ...base, appId: 'wx0000000000000000', url: current },
    ]) {
      const res = await verify(body);
      expect(res.body.data.errMsg, JSON.stringify(body)).toBe('config:invalid signature');
    }
    expect((await verify({ ...base, url: current })).body.data.errMsg).toBe('config:ok');
  });

  it('a page outside the account’s JS-interface domain is refused; malformed input is a 400', async () => {
    const c = await signed(`${srv.base}/h5/`);
    const res = await verify({ ...c, timestamp: String(c.timestamp), url: 'https://evil.example/h5/' });
    expect(res.body.data.errMsg).toBe('config:invalid url domain');
    const bad = await verify({ appId: 1, url: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a signature over a ticket the simulator no longer holds fails (refreshed/expired ticket)', async () => {
    const url = `${srv.base}/h5/`;
    const c = await signed(url);
    const stale = jssdkSignature({ jsapiTicket: 'an-old-ticket', nonceStr: c.nonceStr, timestamp: c.timestamp, url });
    const res = await verify({ ...c, timestamp: String(c.timestamp), signature: stale, url });
    expect(res.body.data.errMsg).toBe('config:invalid signature');
  });
});

describe('office locations (导航)', () => {
  it('GET /api/h5/offices/:id/location answers the coordinates; 404 for unknown, 400 for a bad id', async () => {
    const { db } = testDb();
    const name = uniq('测试网点');
    const [res] = await db.insert(offices).values({ name, address: '示范市某区某路 1 号', phone: '0755-1', latitude: 22.5, longitude: 114.123456 });
    const ok = await http.get(`/api/h5/offices/${res.insertId}/location`);
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ officeId: res.insertId, name, address: '示范市某区某路 1 号', latitude: 22.5, longitude: 114.123456 });

    const [noCoords] = await db.insert(offices).values({ name: uniq('无坐标'), address: 'x', phone: '1' });
    expect((await http.get(`/api/h5/offices/${noCoords.insertId}/location`)).body.data).toMatchObject({ latitude: null, longitude: null });

    const [closed] = await db.insert(offices).values({ name: uniq('停用'), address: 'x', phone: '1', active: false });
    expect((await http.get(`/api/h5/offices/${closed.insertId}/location`)).body.error.code).toBe('APPOINTMENT_OFFICE_NOT_FOUND');
    expect((await http.get('/api/h5/offices/abc/location')).status).toBe(400);
  });

  it('the demo offices get coordinates, also in a database seeded before offices had them', async () => {
    const { db } = testDb();
    const demo = DEMO_OFFICES[1];
    // A row as an older seed left it (inactive, so no booking test meets it); removed afterwards.
    const [old] = await db.insert(offices).values({ name: demo.name, address: demo.address, phone: demo.phone, active: false });
    try {
      await db.transaction((tx) => seedDemoOfficeLocations(tx));
      const [row] = await db.select().from(offices).where(eq(offices.id, old.insertId));
      expect([row!.latitude, row!.longitude]).toEqual([demo.latitude, demo.longitude]);
    } finally {
      await db.delete(offices).where(eq(offices.id, old.insertId));
    }
    expect(DEMO_OFFICES.every((o) => Math.abs(o.latitude) <= 90 && Math.abs(o.longitude) <= 180)).toBe(true);
  });
});
