import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import { staffAccounts, type Database, type StaffAccountRow, type Transaction } from '../../db/schema';
import { AppError } from '../http/errors';
import type { AuditActor, AuditLog } from './audit-types';
import { hashPassword, type ScryptParams } from './password';
import { checkPasswordPolicy } from './password-policy';
import type { StaffRole } from './roles';
import type { StaffView } from './schema';
import type { StaffSessionStore } from './sessions';

export interface StaffService {
  list(): Promise<StaffView[]>;
  get(id: number): Promise<StaffView>;
  create(actor: AuditActor, input: { username: string; displayName: string; role: StaffRole; password: string }): Promise<StaffView>;
  /** A role change ends the member's sessions: they sign in again under the new role. */
  update(actor: AuditActor, id: number, input: { displayName?: string; role?: StaffRole }): Promise<StaffView>;
  setDisabled(actor: AuditActor, id: number, disabled: boolean): Promise<StaffView>;
  resetPassword(actor: AuditActor, id: number, password: string): Promise<StaffView>;
  revokeSessions(actor: AuditActor, id: number): Promise<{ ended: number }>;
  /** Which of these usernames are enabled accounts (start-up prints the demo accounts that exist). */
  existing(usernames: string[]): Promise<string[]>;
}

const isDuplicate = (err: unknown) => {
  const e = err as { errno?: number; cause?: { errno?: number } };
  return (e.errno ?? e.cause?.errno) === 1062;
};

/** Staff account management (admin only at the routes; the CLI and seeds call create directly). */
export function createStaffService(deps: {
  db: Database;
  sessions: StaffSessionStore;
  audit: AuditLog;
  scrypt: ScryptParams;
  passwordMinLength: number;
  now?: () => number;
}): StaffService {
  const now = deps.now ?? Date.now;

  async function present(rows: StaffAccountRow[]): Promise<StaffView[]> {
    const live = await deps.sessions.countLive(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      displayName: r.displayName,
      role: r.role as StaffRole,
      disabled: r.disabled,
      lastLoginAt: r.lastLoginAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
      activeSessions: live.get(r.id) ?? 0,
    }));
  }

  async function get(id: number): Promise<StaffView> {
    const row = (await deps.db.select().from(staffAccounts).where(eq(staffAccounts.id, id)).limit(1))[0];
    if (!row) throw new AppError('STAFF_NOT_FOUND');
    return (await present([row]))[0]!;
  }

  /** The row, locked for the change. */
  async function lockAccount(tx: Transaction, id: number) {
    const row = (await tx.select().from(staffAccounts).where(eq(staffAccounts.id, id)).for('update'))[0];
    if (!row) throw new AppError('STAFF_NOT_FOUND');
    return row;
  }

  /**
   * Locks the enabled admins' rows, in id order, before the target row is locked: two admins
   * demoting each other at once then queue here instead of deadlocking, and the second sees
   * the first one's change.
   */
  async function lockAdmins(tx: Transaction) {
    await tx
      .select({ id: staffAccounts.id })
      .from(staffAccounts)
      .where(and(eq(staffAccounts.role, 'admin'), eq(staffAccounts.disabled, false)))
      .orderBy(staffAccounts.id)
      .for('update');
  }

  /** Refuses a change that would leave no enabled admin (call after lockAdmins). */
  async function keepOneAdmin(tx: Transaction, row: StaffAccountRow) {
    if (row.role !== 'admin' || row.disabled) return;
    const others = await tx
      .select({ id: staffAccounts.id })
      .from(staffAccounts)
      .where(and(eq(staffAccounts.role, 'admin'), eq(staffAccounts.disabled, false), ne(staffAccounts.id, row.id)));
    if (others.length === 0) throw new AppError('STAFF_LAST_ADMIN');
  }

  const notSelf = (actor: AuditActor, id: number) => {
    if ('staffId' in actor && actor.staffId === id) throw new AppError('STAFF_SELF_CHANGE');
  };

  return {
    async list() {
      return present(await deps.db.select().from(staffAccounts).orderBy(desc(staffAccounts.disabled), staffAccounts.username));
    },

    get,

    async create(actor, input) {
      checkPasswordPolicy(input.password, input.username, deps.passwordMinLength);
      const passwordHash = await hashPassword(input.password, deps.scrypt);
      const t = new Date(now());
      try {
        const id = await deps.db.transaction(async (tx) => {
          const [res] = await tx.insert(staffAccounts).values({
            username: input.username,
            displayName: input.displayName,
            role: input.role,
            passwordHash,
            passwordChangedAt: t,
            createdAt: t,
            updatedAt: t,
          });
          await deps.audit.record(tx, { actor, action: 'staff.create', subjectType: 'staff', subjectId: res.insertId, detail: { username: input.username, role: input.role } });
          return res.insertId;
        });
        return await get(id);
      } catch (err) {
        if (isDuplicate(err)) throw new AppError('STAFF_USERNAME_TAKEN');
        throw err;
      }
    },

    async update(actor, id, input) {
      await deps.db.transaction(async (tx) => {
        if (input.role !== undefined) await lockAdmins(tx);
        const row = await lockAccount(tx, id);
        const roleChanges = input.role !== undefined && input.role !== row.role;
        if (roleChanges) {
          notSelf(actor, id);
          await keepOneAdmin(tx, row);
        }
        await tx
          .update(staffAccounts)
          .set({ ...(input.displayName !== undefined ? { displayName: input.displayName } : {}), ...(roleChanges ? { role: input.role } : {}), updatedAt: new Date(now()) })
          .where(eq(staffAccounts.id, id));
        const ended = roleChanges ? await deps.sessions.revokeAll(tx, id) : 0;
        await deps.audit.record(tx, {
          actor,
          action: 'staff.update',
          subjectType: 'staff',
          subjectId: id,
          detail: {
            ...(roleChanges ? { roleFrom: row.role, roleTo: input.role, sessionsEnded: ended } : {}),
            ...(input.displayName !== undefined && input.displayName !== row.displayName ? { displayNameChanged: true } : {}),
          },
        });
      });
      return get(id);
    },

    async setDisabled(actor, id, disabled) {
      await deps.db.transaction(async (tx) => {
        if (disabled) await lockAdmins(tx);
        const row = await lockAccount(tx, id);
        if (row.disabled === disabled) return; // idempotent: nothing to change or audit
        if (disabled) {
          notSelf(actor, id);
          await keepOneAdmin(tx, row);
        }
        await tx.update(staffAccounts).set({ disabled, updatedAt: new Date(now()) }).where(eq(staffAccounts.id, id));
        const ended = disabled ? await deps.sessions.revokeAll(tx, id) : 0;
        await deps.audit.record(tx, { actor, action: disabled ? 'staff.disable' : 'staff.enable', subjectType: 'staff', subjectId: id, detail: disabled ? { sessionsEnded: ended } : undefined });
      });
      return get(id);
    },

    async resetPassword(actor, id, password) {
      const current = await get(id);
      checkPasswordPolicy(password, current.username, deps.passwordMinLength);
      const passwordHash = await hashPassword(password, deps.scrypt);
      await deps.db.transaction(async (tx) => {
        await lockAccount(tx, id);
        const t = new Date(now());
        await tx.update(staffAccounts).set({ passwordHash, passwordChangedAt: t, updatedAt: t }).where(eq(staffAccounts.id, id));
        const ended = await deps.sessions.revokeAll(tx, id);
        await deps.audit.record(tx, { actor, action: 'staff.password_reset', subjectType: 'staff', subjectId: id, detail: { sessionsEnded: ended } });
      });
      return get(id);
    },

    async existing(usernames) {
      if (usernames.length === 0) return [];
      const rows = await deps.db
        .select({ username: staffAccounts.username })
        .from(staffAccounts)
        .where(and(inArray(staffAccounts.username, usernames), eq(staffAccounts.disabled, false)));
      return rows.map((r) => r.username);
    },

    async revokeSessions(actor, id) {
      return deps.db.transaction(async (tx) => {
        await lockAccount(tx, id);
        const ended = await deps.sessions.revokeAll(tx, id);
        await deps.audit.record(tx, { actor, action: 'staff.sessions_revoke', subjectType: 'staff', subjectId: id, detail: { sessionsEnded: ended } });
        return { ended };
      });
    },
  };
}
