import { createHmac } from 'node:crypto';
import supertest from 'supertest';
import { SESSION_COOKIE } from '../../server/citizens/sessions';
import type { TestApp } from './app';
import { makeCitizen } from './factories';
import { testDb } from './db';

/** How koa (cookies + keygrip) signs a cookie: HMAC-SHA1 of "name=value", url-safe base64 without padding. */
export function signCookie(name: string, value: string, key: string): string {
  return createHmac('sha1', key)
    .update(`${name}=${value}`)
    .digest('base64')
    .replace(/\/|\+|=/g, (c) => ({ '/': '_', '+': '-', '=': '' })[c]!);
}

/**
 * A supertest agent over the app with a signed-in citizen's session cookie (as after OAuth
 * snsapi_base), for a new citizen unless one is given.
 */
export async function signedInAgent(t: TestApp, citizen?: { id: number; openid: string }) {
  const who = citizen ?? (await makeCitizen(testDb().db));
  const token = await t.deps.sessions.create({ citizenId: who.id, guest: false, scope: 'base' });
  const cookie = `${SESSION_COOKIE}=${token}; ${SESSION_COOKIE}.sig=${signCookie(SESSION_COOKIE, token, t.config.sessionSecret)}`;
  const agent = supertest.agent(t.app.callback()).set('Cookie', cookie);
  return { agent, citizen: { id: who.id, openid: who.openid } };
}
