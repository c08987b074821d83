import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../../db/seed/demo-citizens';
import { DEMO_OPENID, PUBLIC_BASE, startSandbox, textReply, type SandboxTest } from './support';

/** The control API the phone emulator is built on (`/sandbox/api/*`). */
let s: SandboxTest;
beforeAll(async () => {
  s = await startSandbox();
});
beforeEach(() => {
  s.platform.reset();
  s.portal.answerWith(() => ({}));
});
afterAll(() => s.close());

const api = {
  get: (path: string) => s.http.get(`/sandbox/api${path}`),
  post: (path: string, body: object = {}) => s.http.post(`/sandbox/api${path}`).send(body),
  put: (path: string, body: object) => s.http.put(`/sandbox/api${path}`).send(body),
  patch: (path: string, body: object) => s.http.patch(`/sandbox/api${path}`).send(body),
  del: (path: string) => s.http.delete(`/sandbox/api${path}`),
};
const idOf = (openid: string) => s.platform.getUser(openid)!.id;

describe('users', () => {
  it('lists the seeded users with short ids', async () => {
    const res = await api.get('/users');
    expect(res.status).toBe(200);
    const users = res.body.data as { id: string; openid: string; nickname: string; subscribed: boolean; snapshot: boolean }[];
    expect(users.filter((u) => u.subscribed).map((u) => u.openid)).toEqual(DEMO_CITIZENS.map((c) => c.openid));
    expect(users[0]).toMatchObject({ id: 'u1', nickname: '张伟', clientPlatform: 'ios', subscribeScene: 'ADD_SCENE_QR_CODE', qrSceneStr: 'office_hall' });
    expect(users.some((u) => u.snapshot)).toBe(true);
  });

  it('creates a user, optionally following via a scene; 404 SANDBOX_CITIZEN_NOT_FOUND for unknown ids', async () => {
    const res = await api.post('/users', { nickname: '孙丽', follow: true, scene: 'office_hall' });
    expect(res.status).toBe(201);
    expect(res.body.data.user).toMatchObject({ nickname: '孙丽', subscribed: true, qrSceneStr: 'office_hall' });
    expect(res.body.data.push).toMatchObject({ delivered: true, reply: 'none' });
    expect(s.portal.pushes().at(-1)).toMatchObject({ Event: 'subscribe', EventKey: 'qrscene_office_hall' });

    const missing = await api.get('/users/u999');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'SANDBOX_CITIZEN_NOT_FOUND', requestId: expect.any(String) });
    expect((await api.post('/users', { openid: 'bad openid!' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await api.post('/users', { openid: DEMO_OPENID })).status).toBe(409);
  });

  it('follows and unfollows with pushes; refuses what WeChat would not allow', async () => {
    const id = idOf(DEMO_OPENID);
    expect((await api.post(`/users/${id}/follow`)).status).toBe(409);
    const off = await api.post(`/users/${id}/unfollow`);
    expect(off.body.data.user.subscribed).toBe(false);
    expect(s.portal.pushes().at(-1)).toMatchObject({ Event: 'unsubscribe' });
    expect((await api.post(`/users/${id}/messages`, { content: 'hi' })).status).toBe(409);
    expect((await api.post(`/users/${id}/follow`, {})).body.data.user.subscribed).toBe(true);
    expect((await api.patch(`/users/${id}`, { blocked: true, clientPlatform: 'android' })).body.data).toMatchObject({ blocked: true, clientPlatform: 'android' });
  });

  it('sends a text as the user and returns the reply; the chat log pages with ?after', async () => {
    s.portal.answerWith((push) => ({ reply: textReply(push, '您好，请问需要办理什么业务？') }));
    const id = idOf(DEMO_OPENID);
    const res = await api.post(`/users/${id}/messages`, { content: '你好' });
    expect(res.body.data.message).toMatchObject({ from: 'user', text: '你好', msgId: expect.stringMatching(/^\d+$/) });
    expect(res.body.data.push.entries[0]).toMatchObject({ from: 'account', via: 'passive', text: '您好，请问需要办理什么业务？' });
    const chat = (await api.get(`/users/${id}/chat`)).body.data as { id: number }[];
    expect(chat).toHaveLength(2);
    expect((await api.get(`/users/${id}/chat?after=${chat[0]!.id}`)).body.data).toHaveLength(1);
    expect((await api.post(`/users/${id}/messages`, { content: '' })).body.error.code).toBe('VALIDATION_FAILED');
  });

  it('shares a location', async () => {
    const res = await api.post(`/users/${idOf(DEMO_OPENID)}/location`, { latitude: 30.1, longitude: 120.2 });
    expect(res.body.data.push.delivered).toBe(true);
    expect(s.portal.pushes().at(-1)).toMatchObject({ Event: 'LOCATION', Latitude: '30.1' });
  });
});

describe('menu and phone', () => {
  it('shows the published menu, the user’s menu, and taps it; a VIEW tap gives the URL and the phone cookie', async () => {
    expect((await api.get('/menu')).body.data).toBeNull();
    const token = await s.token();
    await s.http
      .post('/sandbox/cgi-bin/menu/create')
      .query({ access_token: token })
      .send({ button: [{ name: '查询', sub_button: [{ type: 'click', name: '违法查询', key: 'V' }, { type: 'view', name: '我的预约', url: `${PUBLIC_BASE}/h5/me` }] }] });
    expect((await api.get('/menu')).body.data.menu.button[0].sub_button).toHaveLength(2);
    const id = idOf(DEMO_OPENID);
    expect((await api.get(`/users/${id}/menu`)).body.data).toMatchObject({ conditional: false, button: [{ name: '查询' }] });

    expect((await api.post(`/users/${id}/menu-taps`, { button: 0 })).body.data).toEqual({ action: 'submenu', name: '查询', items: ['违法查询', '我的预约'] });
    const click = (await api.post(`/users/${id}/menu-taps`, { button: 0, sub: 0 })).body.data;
    expect(click).toMatchObject({ action: 'click', key: 'V', outcome: { delivered: true } });
    const view = await api.post(`/users/${id}/menu-taps`, { button: 0, sub: 1 });
    expect(view.body.data.openUrl).toBe(`${PUBLIC_BASE}/oauth/start?return=%2Fh5%2Fme`);
    expect(view.headers['set-cookie']?.[0]).toContain(`sandbox_wechat_user=${DEMO_OPENID}`);
    expect((await api.post(`/users/${id}/menu-taps`, { button: 2 })).body.error.code).toBe('VALIDATION_FAILED');

    const opened = await api.post(`/users/${id}/open-url`, { url: `${PUBLIC_BASE}/h5/applications/3` });
    expect(opened.body.data.url).toBe(`${PUBLIC_BASE}/oauth/start?return=%2Fh5%2Fapplications%2F3`);
    const phone = await api.post('/phone', { userId: id });
    expect(phone.body.data.user.openid).toBe(DEMO_OPENID);
    expect(phone.headers['set-cookie']?.[0]).toMatch(/path=\/sandbox/);
  });

  it('lists the templates', async () => {
    expect((await api.get('/templates')).body.data[0]).toMatchObject({ template_id: expect.any(String), title: expect.any(String) });
  });
});

describe('faults and reset', () => {
  it('sets, reads and clears faults; an endpoint fault answers its errcode for the next N calls', async () => {
    const put = await api.put('/faults', { endpoints: { '/cgi-bin/menu/get': { errcode: -1, times: 2 } } });
    expect(put.body.data).toEqual({ latencyMs: 0, templateQuotaExhausted: false, endpoints: { '/cgi-bin/menu/get': { errcode: -1, rate: 1, times: 2 } } });
    const token = await s.token();
    const call = () => s.http.get('/sandbox/cgi-bin/menu/get').query({ access_token: token });
    expect((await call()).body).toMatchObject({ errcode: -1, errmsg: expect.stringMatching(/^system error rid: /) });
    expect((await call()).body.errcode).toBe(-1);
    expect((await call()).body.errcode).toBe(46003);
    expect((await api.get('/faults')).body.data.endpoints).toEqual({});

    expect((await api.put('/faults', { endpoints: { 'not-a-path': { errcode: 1 } } })).body.error.code).toBe('VALIDATION_FAILED');
    await api.put('/faults', { endpoints: { '*': { errcode: 45009, rate: 1 } } });
    expect((await s.http.get('/sandbox/cgi-bin/token').query({ grant_type: 'client_credential' })).body.errcode).toBe(45009);
    expect((await api.del('/faults')).body.data.endpoints).toEqual({});
  });

  it('adds latency', async () => {
    await api.put('/faults', { latencyMs: 150 });
    const t0 = Date.now();
    await s.token();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('expires every token on request, and a reset forgets them', async () => {
    const token = await s.token();
    expect((await api.post('/faults/expire-tokens')).body.data.expired).toBeGreaterThan(0);
    expect((await s.http.get('/sandbox/cgi-bin/menu/get').query({ access_token: token })).body.errcode).toBe(42001);
    const fresh = await s.token();
    expect((await api.post('/reset')).body.data.users).toBe(DEMO_CITIZENS.length + 1);
    expect((await s.http.get('/sandbox/cgi-bin/menu/get').query({ access_token: fresh })).body.errcode).toBe(40001);
  });
});
