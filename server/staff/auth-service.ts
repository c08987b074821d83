import { eq } from 'drizzle-orm';
import { staffAccounts, type Database } from '../../db/schema';
import { AppError } from '../http/errors';
import type { AuditLog } from './audit-types';
import type { LoginThrottle } from './login-throttle';
import { dummyHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password';
import { checkPasswordPolicy } from './password-policy';
import type { StaffPrincipal } from './roles';
import type { MeView } from './schema';
import type { StaffSessionInfo, StaffSessionStore } from './sessions';

export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

export interface StaffAuthService {
  /** Checks throttles, the password and the account; returns the cookie token and the session view. */
  login(input: { username: string; password: string }, client: ClientInfo): Promise<{ token: string; me: MeView }>;
  logout(principal: StaffPrincipal): Promise<void>;
  me(info: StaffSessionInfo): MeView;
  /** Changes the signed-in member's own password; every session of theirs ends, this one too. */
  changeOwnPassword(principal: StaffPrincipal, currentPassword: string, newPassword: string): Promise<void>;
}

export function meView(info: StaffSessionInfo): MeView {
  const p = info.principal;
  return {
    staff: { id: p.id, username: p.username, displayName: p.displayName, role: p.role },
    csrfToken: info.csrfToken,
    expiresAt: info.expiresAt.toISOString(),
    idleExpiresAt: info.idleExpiresAt.toISOString(),
  };
}

export function createStaffAuthService(deps: {
  db: Database;
  sessions: StaffSessionStore;
  throttle: LoginThrottle;
  audit: AuditLog;
  scrypt: ScryptParams;
  passwordMinLength: number;
  idleMinutes: number;
  now?: () => number;
}): StaffAuthService {
  const now = deps.now ?? Date.now;
  const dummy = dummyHash(deps.scrypt);
  const findByUsername = async (username: string) =>
    (await deps.db.select().from(staffAccounts).where(eq(staffAccounts.username, username)).limit(1))[0];

  return {
    async login({ username, password }, client) {
      await deps.throttle.admit(username, client.ip);
      const account = await findByUsername(username);
      // An unknown name costs one derivation too, so timing does not tell which names exist.
      const passwordOk = account ? await verifyPassword(password, account.passwordHash) : (await verifyPassword(password, await dummy()), false);
      if (!account || !passwordOk || account.disabled) {
        const locked = await deps.throttle.fail(username);
        const reason = !account ? 'unknown_user' : !passwordOk ? 'wrong_password' : 'disabled';
        // The name tried is not recorded for unknown users: it may be a password typed in the wrong field.
        const subject = { subjectType: 'staff', subjectId: account?.id ?? 'unknown' };
        await deps.audit.record(deps.db, { actor: { system: 'login' }, action: 'staff.login_failed', ...subject, detail: { reason, ip: client.ip } });
        if (locked) {
          await deps.audit.record(deps.db, { actor: { system: 'login' }, action: 'staff.locked', ...subject, detail: { ip: client.ip } });
          throw new AppError('STAFF_LOGIN_LOCKED');
        }
        throw new AppError('STAFF_LOGIN_FAILED');
      }
      // Raise old hashes to the current parameters while the plain password is at hand.
      const rehashed = needsRehash(account.passwordHash, deps.scrypt) ? await hashPassword(password, deps.scrypt) : undefined;
      const t = new Date(now());
      const session = await deps.db.transaction(async (tx) => {
        await deps.throttle.succeed(tx, username);
        await tx
          .update(staffAccounts)
          .set({ lastLoginAt: t, ...(rehashed ? { passwordHash: rehashed } : {}) })
          .where(eq(staffAccounts.id, account.id));
        const s = await deps.sessions.create(tx, account.id, client);
        await deps.audit.record(tx, { actor: { staffId: account.id }, action: 'staff.login', subjectType: 'staff', subjectId: account.id, detail: { ip: client.ip } });
        return s;
      });
      const principal: StaffPrincipal = { id: account.id, username: account.username, displayName: account.displayName, role: account.role as StaffPrincipal['role'], sessionId: session.sessionId };
      const idleExpiresAt = new Date(Math.min(t.getTime() + deps.idleMinutes * 60_000, session.expiresAt.getTime()));
      return { token: session.token, me: meView({ principal, csrfToken: session.csrfToken, expiresAt: session.expiresAt, idleExpiresAt }) };
    },

    async logout(principal) {
      await deps.db.transaction(async (tx) => {
        await deps.sessions.revoke(tx, principal.sessionId);
        await deps.audit.record(tx, { actor: { staffId: principal.id }, action: 'staff.logout', subjectType: 'staff', subjectId: principal.id });
      });
    },

    me: meView,

    async changeOwnPassword(principal, currentPassword, newPassword) {
      const account = (await deps.db.select().from(staffAccounts).where(eq(staffAccounts.id, principal.id)).limit(1))[0];
      if (!account) throw new AppError('UNAUTHENTICATED');
      if (!(await verifyPassword(currentPassword, account.passwordHash))) throw new AppError('STAFF_CURRENT_PASSWORD_WRONG');
      checkPasswordPolicy(newPassword, account.username, deps.passwordMinLength);
      const hash = await hashPassword(newPassword, deps.scrypt);
      await deps.db.transaction(async (tx) => {
        await tx.update(staffAccounts).set({ passwordHash: hash, passwordChangedAt: new Date(now()), updatedAt: new Date(now()) }).where(eq(staffAccounts.id, account.id));
        const ended = await deps.sessions.revokeAll(tx, account.id);
        await deps.audit.record(tx, { actor: { staffId: account.id }, action: 'staff.password_change', subjectType: 'staff', subjectId: account.id, detail: { sessionsEnded: ended } });
      });
    },
  };
}
