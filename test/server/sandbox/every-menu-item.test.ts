import { and, eq, gte } from 'drizzle-orm';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEvents } from '../../../db/schema';
import { DEFAULT_MENU } from '../../../db/seed/default-menu';
import { seedDefaultReplies } from '../../../db/seed/default-replies';
import { seedDemoCitizens } from '../../../db/seed/demo-citizens';
import { createTestApp } from '../../support/app';
import { testDb } from '../../support/db';
import { liveEnv } from '../../support/factories';
import { startTestServer } from '../../support/server';

let srv: Awaited<ReturnType<typeof startTestServer>>;
let version = '';
beforeAll(async () => {
  srv = await startTestServer();
  await testDb().db.transaction(async (tx) => {
    await seedDemoCitizens(tx);
    await seedDefaultReplies(tx);
  });
  const draft = await srv.t.deps.menus.createDraft({ menu: DEFAULT_MENU, createdBy: 'test' });
  version = (await srv.t.deps.menus.publish(draft.id, 'test')).version;
});
afterAll(() => srv.close());

describe('a citizen taps every item of the default menu in the sandbox', () => {
  const leaves = DEFAULT_MENU.button.flatMap((top, b) => (top.sub_button ?? []).map((leaf, sub) => ({ b, sub, leaf })));

  it.each(leaves.map((l) => [`${DEFAULT_MENU.button[l.b]!.name} › ${l.leaf.name}`, l] as const))('%s', async (_label, { b, sub, leaf }) => {
    const startedAt = Date.now() - 1000;
    const phone = supertest.agent(srv.base);
    const tap = await phone.post('/sandbox/api/users/u1/menu-taps').send({ button: b, sub });
    expect(tap.status).toBe(200);
    if (leaf.type === 'click') {
      // The CLICK is pushed to /wechat and answered with the rule for its key.
      const reply = await srv.t.deps.autoReply.forClick(leaf.key!);
      expect(reply?.type).toBe('text');
      expect(tap.body.data.outcome.reply).toBe('passive');
      expect(tap.body.data.outcome.entries[0].text).toBe(reply && reply.type === 'text' ? reply.content : undefined);
      return;
    }
    // A VIEW opens the portal page through the real OAuth redirect, attributed to item and version.
    expect(tap.body.data.action).toBe('view');
    let location = tap.body.data.openUrl as string;
    for (let hop = 0; hop < 5 && !new URL(location, srv.base).pathname.startsWith('/h5/'); hop++) {
      const u = new URL(location, srv.base);
      const res = await phone.get(`${u.pathname}${u.search}`);
      expect(res.status, `${u.pathname}`).toBe(302);
      location = res.headers.location!;
    }
    const landed = new URL(location, srv.base);
    expect(landed.pathname).toBe(leaf.url);
    expect(landed.searchParams.get('menu')).toBe(leaf.key);
    expect(landed.searchParams.get('mv')).toBe(version);
    const me = await phone.get('/api/h5/me');
    expect(me.status).toBe(200);
    expect(me.body.data.guest).toBe(false);
    // Signed in as the citizen who tapped (u1): their OAuth sign-in is in the usage log under
    // their pseudonym. (Not by name: an earlier test may have unfollowed them, which erases it.)
    await srv.t.deps.usageRecorder.flush();
    const u1 = (await phone.get('/sandbox/api/users/u1')).body.data.openid as string;
    const signIns = await testDb()
      .db.select()
      .from(usageEvents)
      .where(and(eq(usageEvents.kind, 'oauth'), eq(usageEvents.citizenKey, srv.t.deps.pseudonymise(u1)), gte(usageEvents.occurredAt, startedAt)));
    expect(signIns.length).toBeGreaterThan(0);
  });
});

describe('live mode', () => {
  it('mounts none of the simulator', async () => {
    const live = createTestApp({ env: liveEnv() });
    for (const path of ['/sandbox/cgi-bin/token?grant_type=client_credential', '/sandbox/api/users', '/sandbox/connect/oauth2/authorize', '/sandbox/sns/userinfo']) {
      expect((await live.request.get(path)).status, path).toBe(404);
    }
    expect(live.deps.sandbox).toBeUndefined();
    await live.close();
  });
});
