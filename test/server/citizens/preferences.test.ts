import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { citizens } from '../../../db/schema';
import { createCitizenService } from '../../../server/citizens/service';
import { createTestApp } from '../../support/app';
import { signedInAgent } from '../../support/citizen-agent';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';

const t = createTestApp();
afterAll(() => t.close());

describe('citizen preferences (elder mode, optional notifications)', () => {
  it('GET /api/h5/me shows the defaults for a new citizen, and what PATCH stored afterwards', async () => {
    const { agent, citizen } = await signedInAgent(t);
    const me = await agent.get('/api/h5/me');
    expect(me.status).toBe(200);
    expect(me.body.data.preferences).toEqual({ elderMode: false, optionalNotifications: true });
    expect(JSON.stringify(me.body)).not.toContain(citizen.openid);

    const patched = await agent.patch('/api/h5/me/preferences').send({ elderMode: true });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toEqual({ elderMode: true, optionalNotifications: true });
    const off = await agent.patch('/api/h5/me/preferences').send({ optionalNotifications: false });
    expect(off.body.data).toEqual({ elderMode: true, optionalNotifications: false });

    expect((await agent.get('/api/h5/me')).body.data.preferences).toEqual({ elderMode: true, optionalNotifications: false });
    const [row] = await testDb().db.select().from(citizens).where(eq(citizens.id, citizen.id));
    expect([row!.elderMode, row!.notifyOptional]).toEqual([true, false]);
  });

  it('each citizen has their own settings', async () => {
    const a = await signedInAgent(t);
    const b = await signedInAgent(t);
    await a.agent.patch('/api/h5/me/preferences').send({ elderMode: true }).expect(200);
    expect((await b.agent.get('/api/h5/me')).body.data.preferences.elderMode).toBe(false);
    expect(await t.deps.citizens.preferences(a.citizen.id)).toEqual({ elderMode: true, optionalNotifications: true });
  });

  it('unknown or ill-typed fields are a 400 naming the field, and nothing changes', async () => {
    const { agent, citizen } = await signedInAgent(t);
    for (const body of [{ elderMode: 'yes' }, { elder: true }, { elderMode: true, openid: 'x' }, { optionalNotifications: 1 }]) {
      const res = await agent.patch('/api/h5/me/preferences').send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const arr = await agent.patch('/api/h5/me/preferences').send([true]);
    expect(arr.status).toBe(400);
    expect(await t.deps.citizens.preferences(citizen.id)).toEqual({ elderMode: false, optionalNotifications: true });
  });

  it('an empty patch changes nothing and answers the current settings', async () => {
    const { agent } = await signedInAgent(t);
    await agent.patch('/api/h5/me/preferences').send({ optionalNotifications: false }).expect(200);
    const res = await agent.patch('/api/h5/me/preferences').send({});
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ elderMode: false, optionalNotifications: false });
  });

  it('only a signed-in citizen may change settings', async () => {
    const res = await t.request.patch('/api/h5/me/preferences').send({ elderMode: true });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('CITIZEN_AUTH_REQUIRED');
  });

  it('the service: defaults for an unknown citizen, NOT_FOUND when changing one, reset by an unfollow', async () => {
    const svc = createCitizenService({ db: testDb().db });
    expect(await svc.preferences(2 ** 40)).toEqual({ elderMode: false, optionalNotifications: true });
    await expect(svc.updatePreferences(2 ** 40, { elderMode: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const c = await makeCitizen(testDb().db);
    await svc.updatePreferences(c.id, { elderMode: true, optionalNotifications: false });
    await svc.unfollowed(c.openid, new Date());
    expect(await svc.preferences(c.id)).toEqual({ elderMode: false, optionalNotifications: true });
  });
});
