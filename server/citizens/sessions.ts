import { createHash, randomBytes } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { RowDataPacket } from 'mysql2';
import type { Context, Next } from 'koa';
import { citizenSessions, type Database } from '../../db/schema';
import type { AppState } from '../http/state';

export const SESSION_COOKIE = 'gp_sid';
const TOUCH_EVERY_MS = 5 * 60 * 1000;

interface SessionRow extends RowDataPacket {
  id_hash: string;
  citizen_id: number | string | null;
  guest: number;
  scope: string;
  last_seen_at: Date;
  openid: string | null;
}

const RESOLVE_SQL = `SELECT s.id_hash, s.citizen_id, s.guest, s.scope, s.last_seen_at, c.openid
  FROM citizen_sessions s LEFT JOIN citizens c ON c.id = s.citizen_id
  WHERE s.id_hash = ? AND s.expires_at > ? LIMIT 1`;

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
      // On every H5 API request: one prepared statement through the driver, not the query
      // builder (building the SQL cost more CPU than the query in the lookup benchmark).
      const [rows] = await deps.db.$client.execute<SessionRow[]>(RESOLVE_SQL, [hash(token), new Date(t)]);
      const row = rows[0];
      if (!row) return undefined;
      if (row.citizen_id !== null && !row.openid) return undefined; // citizen erased
      if (t - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
        // Throttled: a session's last use matters to within minutes, not per request.
        await deps.db.update(citizenSessions).set({ lastSeenAt: new Date(t) }).where(eq(citizenSessions.idHash, row.id_hash));
      }
      return { citizenId: row.citizen_id === null ? null : Number(row.citizen_id), openid: row.openid, guest: Boolean(row.guest), scope: row.scope };
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
