import { createHmac } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { citizens, citizenSessions, type CitizenRow, type Database } from '../../db/schema';
import { AppError } from '../http/errors';
import { DEFAULT_PREFERENCES, type CitizenPreferences, type MeView, type PreferencesPatch } from './schema';

/**
 * Citizens as the portal knows them: upserted when they follow or sign in through OAuth. The
 * service account rules (PROTOCOL §2.3) require deleting a user's data when they unfollow:
 * `erase` drops the profile and sessions and keeps only the row that says "unfollowed", which
 * holds no personal data beyond the openid WeChat will use again if they come back.
 * Other areas register erasers for their own personal data (bindings, drafts …).
 */
export type Eraser = (citizenId: number) => Promise<void>;

export interface CitizenService {
  findByOpenid(openid: string): Promise<CitizenRow | undefined>;
  findById(id: number): Promise<CitizenRow | undefined>;
  /** Display names for many citizens in one query (lists show dozens); ids not found are absent from the map. */
  displayNames(ids: readonly number[]): Promise<Map<number, string | null>>;
  /** A follow: create or re-activate, recording how they came (QR scene) the first time. */
  followed(openid: string, at: Date, acquisitionSource: string | null): Promise<CitizenRow>;
  /** Unfollow: mark and erase personal data (PROTOCOL §2.3). */
  unfollowed(openid: string, at: Date): Promise<void>;
  /** OAuth sign-in: make sure the citizen exists; a userinfo profile updates name/avatar. */
  signedIn(openid: string, at: Date, profile?: { nickname?: string | null; avatarUrl?: string | null; unionid?: string | null }): Promise<CitizenRow>;
  registerEraser(eraser: Eraser): void;
  /** What `/api/h5/me` shows a signed-in citizen: no identifiers. */
  me(citizenId: number): Promise<MeView>;
  /** The citizen's settings; defaults for an unknown id (so a notification sender never fails on it). */
  preferences(citizenId: number): Promise<CitizenPreferences>;
  /** Change some settings and return them all; NOT_FOUND for an unknown id. */
  updatePreferences(citizenId: number, patch: PreferencesPatch): Promise<CitizenPreferences>;
  /** What the notification sender needs of many citizens, in one query; ids not found are absent. */
  notificationRecipients(ids: readonly number[]): Promise<Map<number, NotificationRecipient>>;
}

/** A citizen as the notification worker sees them (the openid never leaves the server). */
export interface NotificationRecipient {
  openid: string;
  subscribed: boolean;
  optionalNotifications: boolean;
}

const preferenceColumns = { elderMode: citizens.elderMode, notifyOptional: citizens.notifyOptional };
const toPreferences = (row: { elderMode: boolean; notifyOptional: boolean }): CitizenPreferences => ({
  elderMode: Boolean(row.elderMode),
  optionalNotifications: Boolean(row.notifyOptional),
});

export function createCitizenService(deps: { db: Database; now?: () => number; storageKeySecret?: string }): CitizenService {
  const { db } = deps;
  const storageKeySecret = deps.storageKeySecret ?? 'gp-citizen-storage-key';
  const storageKey = (citizenId: number) => createHmac('sha256', storageKeySecret).update(`h5-storage:${citizenId}`).digest('base64url').slice(0, 16);
  const now = deps.now ?? Date.now;
  const erasers: Eraser[] = [];

  const findByOpenid = async (openid: string) => (await db.select().from(citizens).where(eq(citizens.openid, openid)).limit(1))[0];
  const mustFind = async (openid: string) => {
    const row = await findByOpenid(openid);
    if (!row) throw new Error('citizen vanished after upsert');
    return row;
  };

  return {
    findByOpenid,
    async findById(id) {
      return (await db.select().from(citizens).where(eq(citizens.id, id)).limit(1))[0];
    },
    async displayNames(ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db.select({ id: citizens.id, displayName: citizens.displayName }).from(citizens).where(inArray(citizens.id, unique));
      return new Map(rows.map((r) => [r.id, r.displayName]));
    },
    async followed(openid, at, acquisitionSource) {
      // One statement, so two instances handling a retried follow cannot both insert.
      await db
        .insert(citizens)
        .values({ openid, subscribed: true, subscribedAt: at, acquisitionSource, lastSeenAt: at, updatedAt: at })
        .onDuplicateKeyUpdate({
          set: {
            subscribed: true,
            subscribedAt: at,
            unsubscribedAt: null,
            acquisitionSource: sql`COALESCE(${citizens.acquisitionSource}, VALUES(${citizens.acquisitionSource}))`,
            lastSeenAt: at,
            updatedAt: at,
          },
        });
      return mustFind(openid);
    },
    async unfollowed(openid, at) {
      const row = await findByOpenid(openid);
      if (!row) return;
      for (const erase of erasers) await erase(row.id);
      await db.transaction(async (tx) => {
        await tx.delete(citizenSessions).where(eq(citizenSessions.citizenId, row.id));
        await tx
          .update(citizens)
          .set({
            subscribed: false,
            unsubscribedAt: at,
            displayName: null,
            avatarUrl: null,
            unionid: null,
            // settings are personal data too: a returning follower starts from the defaults
            elderMode: DEFAULT_PREFERENCES.elderMode,
            notifyOptional: DEFAULT_PREFERENCES.optionalNotifications,
            lastSeenAt: at,
            updatedAt: at,
          })
          .where(eq(citizens.id, row.id));
      });
    },
    async signedIn(openid, at, profile) {
      const set: Partial<typeof citizens.$inferInsert> = { lastSeenAt: at, updatedAt: at };
      if (profile?.nickname) set.displayName = profile.nickname.slice(0, 64);
      if (profile?.avatarUrl) set.avatarUrl = profile.avatarUrl.slice(0, 512);
      if (profile?.unionid) set.unionid = profile.unionid;
      await db
        .insert(citizens)
        .values({ openid, ...set })
        .onDuplicateKeyUpdate({ set });
      return mustFind(openid);
    },
    registerEraser(eraser) {
      erasers.push(eraser);
    },
    async me(citizenId) {
      const c = (await db.select().from(citizens).where(eq(citizens.id, citizenId)).limit(1))[0];
      return {
        guest: false,
        subscribed: Boolean(c?.subscribed),
        displayName: c?.displayName ?? null,
        preferences: c ? toPreferences(c) : { ...DEFAULT_PREFERENCES },
        storageKey: storageKey(citizenId),
      };
    },
    async preferences(citizenId) {
      const row = (await db.select(preferenceColumns).from(citizens).where(eq(citizens.id, citizenId)).limit(1))[0];
      return row ? toPreferences(row) : { ...DEFAULT_PREFERENCES };
    },
    async updatePreferences(citizenId, patch) {
      const set: Partial<typeof citizens.$inferInsert> = {};
      if (patch.elderMode !== undefined) set.elderMode = patch.elderMode;
      if (patch.optionalNotifications !== undefined) set.notifyOptional = patch.optionalNotifications;
      // One conditional UPDATE per field set, no read-modify-write: two tabs toggling different
      // switches at once both keep their change.
      if (Object.keys(set).length > 0) {
        set.updatedAt = new Date(now());
        await db.update(citizens).set(set).where(eq(citizens.id, citizenId));
      }
      const row = (await db.select(preferenceColumns).from(citizens).where(eq(citizens.id, citizenId)).limit(1))[0];
      if (!row) throw new AppError('NOT_FOUND');
      return toPreferences(row);
    },
    async notificationRecipients(ids) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db
        .select({ id: citizens.id, openid: citizens.openid, subscribed: citizens.subscribed, notifyOptional: citizens.notifyOptional })
        .from(citizens)
        .where(inArray(citizens.id, unique));
      return new Map(rows.map((r) => [r.id, { openid: r.openid, subscribed: Boolean(r.subscribed), optionalNotifications: Boolean(r.notifyOptional) }]));
    },
  };
}
