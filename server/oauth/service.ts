import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { oauthCodeUses, type Database } from '../../db/schema';
import type { CitizenService } from '../citizens/service';
import type { CitizenSessionService } from '../citizens/sessions';
import { AppError } from '../http/errors';
import type { UsageRecorder } from '../usage/recorder';

export type OAuthScope = 'base' | 'userinfo';

/** The platform calls sign-in needs (WeChat web OAuth, PROTOCOL §5), wired to the API client. */
export interface OAuthPlatform {
  exchangeCode(code: string): Promise<{ openid: string; scope: string; accessToken: string; unionid?: string; isSnapshotUser: boolean }>;
  userInfo(accessToken: string, openid: string): Promise<{ nickname?: string; headimgurl?: string; unionid?: string }>;
}

/** What the browser keeps (signed cookie) between /oauth/start and /oauth/callback. */
export interface PendingSignIn {
  state: string;
  returnPath: string;
  scope: OAuthScope;
  /** epoch ms */
  expiresAt: number;
}

const STATE_TTL_MS = 10 * 60 * 1000;
/** A used code is remembered a little longer than WeChat keeps it valid (5 minutes). */
const CODE_MEMORY_MS = 10 * 60 * 1000;

export interface OAuthService {
  start(returnPath: string, scope: OAuthScope, redirectUri: string): { pending: PendingSignIn; authorizeUrl: string };
  /** Exchange the code (once), create the session; a replayed callback reuses the first result. */
  complete(input: { code: string; state: string; pending: PendingSignIn | undefined; hasLiveSession: boolean }): Promise<{ returnPath: string; sessionToken: string | null }>;
}

export function createOAuthService(deps: {
  db: Database;
  platform: OAuthPlatform;
  citizens: CitizenService;
  sessions: CitizenSessionService;
  usage: UsageRecorder;
  appId: string;
  openBase: string;
  now?: () => number;
}): OAuthService {
  const now = deps.now ?? Date.now;
  const codeHash = (code: string) => createHash('sha256').update(code).digest('hex');

  async function sessionFor(citizenId: number | null, guest: boolean, scope: string) {
    return deps.sessions.create({ citizenId, guest, scope });
  }

  /** Another request is exchanging this code right now (double redirect): wait for its result. */
  async function awaitFirstUse(hash: string) {
    for (let i = 0; i < 25; i++) {
      const row = (await deps.db.select().from(oauthCodeUses).where(eq(oauthCodeUses.codeHash, hash)).limit(1))[0];
      if (row && (row.citizenId !== null || row.guest)) return row;
      if (!row) return undefined; // the first attempt failed and released the code
      await new Promise((r) => setTimeout(r, 200));
    }
    return undefined;
  }

  return {
    start(returnPath, scope, redirectUri) {
      // Hex: PROTOCOL §5.1 allows [a-zA-Z0-9] in state.
      const state = randomBytes(16).toString('hex');
      const q = new URLSearchParams({ appid: deps.appId, redirect_uri: redirectUri, response_type: 'code', scope: `snsapi_${scope}`, state });
      return {
        pending: { state, returnPath, scope, expiresAt: now() + STATE_TTL_MS },
        // Parameter order and the #wechat_redirect fragment as PROTOCOL §5.1 requires.
        authorizeUrl: `${deps.openBase}/connect/oauth2/authorize?${q.toString()}#wechat_redirect`,
      };
    },

    async complete({ code, state, pending, hasLiveSession }) {
      // CSRF: the state must be the one this browser was given, and still fresh.
      if (!pending || pending.state !== state || pending.expiresAt < now() || !code) throw new AppError('OAUTH_STATE_INVALID');
      const hash = codeHash(code);
      const [claim] = await deps.db.insert(oauthCodeUses).ignore().values({ codeHash: hash, scope: pending.scope, expiresAt: now() + CODE_MEMORY_MS });

      if (claim.affectedRows === 0) {
        // The same code again (refresh, double redirect): never exchange twice (40163).
        if (hasLiveSession) return { returnPath: pending.returnPath, sessionToken: null };
        const first = await awaitFirstUse(hash);
        if (!first) throw new AppError('OAUTH_CODE_INVALID');
        return { returnPath: pending.returnPath, sessionToken: await sessionFor(first.citizenId, first.guest, first.scope) };
      }

      try {
        const token = await deps.platform.exchangeCode(code);
        if (token.isSnapshotUser) {
          // Snapshot-mode page views (PROTOCOL §5.4) have a virtual openid: do not store it.
          await deps.db.update(oauthCodeUses).set({ guest: true }).where(eq(oauthCodeUses.codeHash, hash));
          deps.usage.record({ source: 'h5', kind: 'oauth', name: `snsapi_${pending.scope}`, outcome: 'snapshot' });
          return { returnPath: pending.returnPath, sessionToken: await sessionFor(null, true, pending.scope) };
        }
        let profile: { nickname?: string | null; avatarUrl?: string | null; unionid?: string | null } = { unionid: token.unionid ?? null };
        if (pending.scope === 'userinfo' && token.scope.includes('snsapi_userinfo')) {
          const info = await deps.platform.userInfo(token.accessToken, token.openid);
          profile = { nickname: info.nickname ?? null, avatarUrl: info.headimgurl ?? null, unionid: info.unionid ?? token.unionid ?? null };
        }
        const citizen = await deps.citizens.signedIn(token.openid, new Date(now()), profile);
        await deps.db.update(oauthCodeUses).set({ citizenId: citizen.id }).where(eq(oauthCodeUses.codeHash, hash));
        deps.usage.record({ source: 'h5', kind: 'oauth', name: `snsapi_${pending.scope}`, openid: token.openid, outcome: 'ok' });
        return { returnPath: pending.returnPath, sessionToken: await sessionFor(citizen.id, false, pending.scope) };
      } catch (err) {
        // Release the claim so a genuine retry with a new code is not confused with this one.
        await deps.db.delete(oauthCodeUses).where(eq(oauthCodeUses.codeHash, hash));
        deps.usage.record({ source: 'h5', kind: 'oauth', name: `snsapi_${pending.scope}`, outcome: 'fail' });
        if (err instanceof AppError) throw err;
        if (typeof (err as { errcode?: unknown }).errcode === 'number') throw new AppError('OAUTH_CODE_INVALID');
        throw err;
      }
    },
  };
}
