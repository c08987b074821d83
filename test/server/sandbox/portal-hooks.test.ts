import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MENU } from '../../../db/seed/default-menu';
import { fakeOpenid } from '../../support/factories';
import { startTestServer } from '../../support/server';

let srv: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.close());

describe('sandbox ↔ portal', () => {
  it('a reset empties the simulated platform, and the portal publishes its menu to it again', async () => {
    const draft = await srv.t.deps.menus.createDraft({ menu: DEFAULT_MENU, createdBy: 'test' });
    await srv.t.deps.menus.publish(draft.id, 'test');
    const api = supertest(srv.base);
    expect((await api.get('/sandbox/api/menu')).body.data).not.toBeNull();
    const reset = await api.post('/sandbox/api/reset');
    expect(reset.body.data.menu).toBe(true);
    const menu = (await api.get('/sandbox/api/menu')).body.data;
    expect(menu.menu.button.map((b: { name: string }) => b.name)).toEqual(DEFAULT_MENU.button.map((b) => b.name));
  });

  it('a reset also makes the portal forget the tokens and jsapi ticket the old simulator issued', async () => {
    const signer = srv.t.deps.jssdk;
    const before = await signer.jssdkConfig(`${srv.t.deps.config.publicBaseUrl}/h5/`);
    expect(before.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(await srv.t.deps.wechatTokens.inspect('jsapi_ticket')).toMatchObject({ present: true });
    const api = supertest(srv.base);
    expect((await api.post('/sandbox/api/reset')).status).toBe(200);
    expect(await srv.t.deps.wechatTokens.inspect('jsapi_ticket')).toBeNull();
    // the next signature uses a ticket the new simulator issued: its own check accepts it
    const after = await signer.jssdkConfig(`${srv.t.deps.config.publicBaseUrl}/h5/`);
    expect(await srv.t.deps.wechatTokens.inspect('jsapi_ticket')).toMatchObject({ present: true });
    expect(after.signature).not.toBe(before.signature);
  });

  it('choosing another citizen for the phone ends the previous citizen’s portal session', async () => {
    const phone = supertest.agent(srv.base);
    const start = await phone.get('/oauth/start').query({ return: '/h5/' });
    const authorize = new URL(start.headers.location!);
    authorize.hash = '';
    authorize.searchParams.set('sandbox_user', fakeOpenid());
    const cb = await phone.get(`${authorize.pathname}${authorize.search}`);
    await phone.get(new URL(cb.headers.location!).pathname + new URL(cb.headers.location!).search);
    expect((await phone.get('/api/h5/me')).status).toBe(200);
    const users = (await phone.get('/sandbox/api/users')).body.data as { id: string }[];
    expect((await phone.post('/sandbox/api/phone').send({ userId: users[1]!.id })).status).toBe(200);
    expect((await phone.get('/api/h5/me')).status).toBe(401);
  });
});
