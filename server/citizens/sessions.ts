import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Context, Next } from 'koa';
import { citizens, citizenSessions, type Database } from '../../db/schema';
import type { AppState } from '../http/state';

export const SESSION_COOKIE = 'gp_sid';
const TOUCH_EVERY_MS = 5 * 60 * 1000;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface CitizenSessionService {
  /** Create a session; returns the token for the cookie (only its hash is stored). */
  create(input: { citizenId: number | null; guest: boolean; scope: string }): Promise<string>;
  resolve(token: string): Promise<{ citizenId: number | null; openid: string | null; guest: boolean; scope: string } | undefined>;
  revoke(token: string): Promise<void>;
  sweep(): Promise<number>;
}

export function createCitizenSessionService(deps: { db: Database; ttlHours: number; now?: () => number }): CitizenSessionService {
  const now = deps.now ?? Date.now;
  return {
    async create({ citizenId, guest, scope }) {
      const token = randomBytes(32).toString('base64url');
      const t = now();
      await deps.db.insert(citizenSessions).values({
        idHash: hash(token),
        citizenId,
        guest,
        scope,
        createdAt: new Date(t),
        lastSeenAt: new Date(t),
        expiresAt: new Date(t + deps.ttlHours * 3600_000),
      });
      return token;
    },
    async resolve(token) {
      const t = now();
      const row = (
        await deps.db
          .select({ s: citizenSessions, openid: citizens.openid, subscribed: citizens.subscribed })
          .from(citizenSessions)
          .leftJoin(citizens, eq(citizens.id, citizenSessions.citizenId))
          .where(and(eq(citizenSessions.idHash, hash(token)), gt(citizenSessions.expiresAt, new Date(t))))
          .limit(1)
      )[0];
      if (!row) return undefined;
      if (row.s.citizenId !== null && !row.openid) return undefined; // citizen erased
      if (t - row.s.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
        // Throttled: a session's last use matters to within minutes, not per request.
        await deps.db.update(citizenSessions).set({ lastSeenAt: new Date(t) }).where(eq(citizenSessions.idHash, row.s.idHash));
      }
      return { citizenId: row.s.citizenId, openid: row.openid, guest: row.s.guest, scope: row.s.scope };
    },
    async revoke(token) {
      await deps.db.delete(citizenSessions).where(eq(citizenSessions.idHash, hash(token)));
    },
    async sweep() {
      const [res] = await deps.db.delete(citizenSessions).where(lt(citizenSessions.expiresAt, new Date(now())));
      return res.affectedRows;
    },
  };
}

export function sessionCookieOptions(secure: boolean, ttlHours: number) {
  // Lax, not Strict: the OAuth redirect back from WeChat is a cross-site top-level navigation.
  return { httpOnly: true, sameSite: 'lax' as const, secure, signed: true, path: '/', maxAge: ttlHours * 3600_000, overwrite: true };
}

/** Puts the citizen (or a guest) on ctx.state when the browser carries a valid session cookie. */
export function citizenSession(sessions: CitizenSessionService) {
  return async function loadCitizenSession(ctx: Context & { state: AppState }, next: Next) {
    // Only the H5 API and the OAuth callback read the session: pages, assets and pushes must not
    // cost a database lookup each.
    if (!ctx.path.startsWith('/api/') && !ctx.path.startsWith('/oauth/')) return next();
    const token = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    if (token) {
      const s = await sessions.resolve(token);
      if (s?.citizenId && s.openid) ctx.state.citizen = { id: s.citizenId, openid: s.openid };
      else if (s?.guest) ctx.state.guest = true;
    }
    await next();
  };
}
