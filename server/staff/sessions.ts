import { createHash, createHmac, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import { staffAccounts, staffSessions, type Database, type Executor } from '../../db/schema';
import { STAFF_ROLES, type StaffPrincipal, type StaffRole } from './roles';

/** The staff session cookie; scoped to /api/admin so no other path ever receives it. */
export const STAFF_COOKIE = 'gp_staff';
export const STAFF_COOKIE_PATH = '/api/admin';
/** last_seen_at is written at most this often: idle expiry is exact to within this. */
const TOUCH_EVERY_MS = 15_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface StaffSessionInfo {
  principal: StaffPrincipal;
  csrfToken: string;
  expiresAt: Date;
  idleExpiresAt: Date;
}

export interface StaffSessionStore {
  /** A new session; returns the cookie token (only its hash is stored) and its CSRF token. */
  create(exec: Executor, staffId: number, client: { ip?: string; userAgent?: string }): Promise<{ token: string; csrfToken: string; sessionId: string; expiresAt: Date }>;
  /** The live session behind a cookie token, touching its idle clock; undefined when expired, revoked or the account is disabled. */
  resolve(token: string): Promise<StaffSessionInfo | undefined>;
  /** The CSRF token bound to a session token (HMAC, so nothing extra is stored). */
  csrfFor(token: string): string;
  revoke(exec: Executor, sessionId: string): Promise<void>;
  /** Ends every session of one account; returns how many there were. */
  revokeAll(exec: Executor, staffId: number): Promise<number>;
  /** Live session counts per account. */
  countLive(staffIds: number[]): Promise<Map<number, number>>;
  sweep(): Promise<number>;
}

export function createStaffSessionStore(deps: { db: Database; secret: string; idleMinutes: number; absoluteHours: number; now?: () => number }): StaffSessionStore {
  const now = deps.now ?? Date.now;
  const idleMs = deps.idleMinutes * 60_000;
  const absoluteMs = deps.absoluteHours * 3600_000;
  const csrfFor = (token: string) => createHmac('sha256', deps.secret).update(`staff-csrf:${token}`).digest('base64url');
  const liveWhere = (t: number) => and(gt(staffSessions.expiresAt, new Date(t)), gt(staffSessions.lastSeenAt, new Date(t - idleMs)));

  return {
    async create(exec, staffId, client) {
      const token = randomBytes(32).toString('base64url');
      const t = now();
      const sessionId = sha256(token);
      const expiresAt = new Date(t + absoluteMs);
      await exec.insert(staffSessions).values({
        idHash: sessionId,
        staffId,
        createdAt: new Date(t),
        lastSeenAt: new Date(t),
        expiresAt,
        ip: client.ip?.slice(0, 64) ?? null,
        userAgent: client.userAgent?.slice(0, 255) ?? null,
      });
      return { token, csrfToken: csrfFor(token), sessionId, expiresAt };
    },

    async resolve(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const t = now();
      const row = (
        await deps.db
          .select({ s: staffSessions, a: { id: staffAccounts.id, username: staffAccounts.username, displayName: staffAccounts.displayName, role: staffAccounts.role, disabled: staffAccounts.disabled } })
          .from(staffSessions)
          .innerJoin(staffAccounts, eq(staffAccounts.id, staffSessions.staffId))
          .where(and(eq(staffSessions.idHash, sha256(token)), liveWhere(t)))
          .limit(1)
      )[0];
      // Disabling deletes sessions too; the check here covers a disable racing a sign-in.
      if (!row || row.a.disabled || !(STAFF_ROLES as readonly string[]).includes(row.a.role)) return undefined;
      let lastSeen = row.s.lastSeenAt.getTime();
      if (t - lastSeen >= TOUCH_EVERY_MS) {
        await deps.db.update(staffSessions).set({ lastSeenAt: new Date(t) }).where(eq(staffSessions.idHash, row.s.idHash));
        lastSeen = t;
      }
      return {
        principal: { id: row.a.id, username: row.a.username, displayName: row.a.displayName, role: row.a.role as StaffRole, sessionId: row.s.idHash },
        csrfToken: csrfFor(token),
        expiresAt: row.s.expiresAt,
        idleExpiresAt: new Date(Math.min(lastSeen + idleMs, row.s.expiresAt.getTime())),
      };
    },

    csrfFor,

    async revoke(exec, sessionId) {
      await exec.delete(staffSessions).where(eq(staffSessions.idHash, sessionId));
    },

    async revokeAll(exec, staffId) {
      const [res] = await exec.delete(staffSessions).where(eq(staffSessions.staffId, staffId));
      return res.affectedRows;
    },

    async countLive(staffIds) {
      const counts = new Map<number, number>();
      if (staffIds.length === 0) return counts;
      const rows = await deps.db
        .select({ staffId: staffSessions.staffId, n: sql<number>`count(*)` })
        .from(staffSessions)
        .where(and(inArray(staffSessions.staffId, staffIds), liveWhere(now())))
        .groupBy(staffSessions.staffId);
      for (const r of rows) counts.set(r.staffId, Number(r.n));
      return counts;
    },

    async sweep() {
      const t = now();
      const [res] = await deps.db
        .delete(staffSessions)
        .where(or(lt(staffSessions.expiresAt, new Date(t)), lt(staffSessions.lastSeenAt, new Date(t - idleMs))));
      return res.affectedRows;
    },
  };
}
