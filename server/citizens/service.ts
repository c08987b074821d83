import { eq, sql } from 'drizzle-orm';
import { citizens, citizenSessions, type CitizenRow, type Database } from '../../db/schema';

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
  /** A follow: create or re-activate, recording how they came (QR scene) the first time. */
  followed(openid: string, at: Date, acquisitionSource: string | null): Promise<CitizenRow>;
  /** Unfollow: mark and erase personal data (PROTOCOL §2.3). */
  unfollowed(openid: string, at: Date): Promise<void>;
  /** OAuth sign-in: make sure the citizen exists; a userinfo profile updates name/avatar. */
  signedIn(openid: string, at: Date, profile?: { nickname?: string | null; avatarUrl?: string | null; unionid?: string | null }): Promise<CitizenRow>;
  registerEraser(eraser: Eraser): void;
}

export function createCitizenService(deps: { db: Database }): CitizenService {
  const { db } = deps;
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
          .set({ subscribed: false, unsubscribedAt: at, displayName: null, avatarUrl: null, unionid: null, lastSeenAt: at, updatedAt: at })
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
  };
}
