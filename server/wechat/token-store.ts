import { eq, sql } from 'drizzle-orm';
import { ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT, mysqlError } from '../../db/retry';
import { wechatCredentials, type Database } from '../../db/schema';
import type { Logger } from '../logger';

/**
 * The access token and the jsapi ticket, shared by every instance through `wechat_credentials`.
 *
 * - `get()` answers from a short in-memory copy or the row while the value has more than
 *   `refreshAheadMs` left; otherwise it refreshes.
 * - A refresh is a single flight across processes: `INSERT IGNORE` the row if it is missing,
 *   then in one transaction `SELECT … FOR UPDATE`, re-check (another instance may have just
 *   refreshed), call WeChat only if still stale, write value/expires_at/version+1, commit. Inside
 *   one process, concurrent callers share one promise, so the row lock is taken once per process.
 * - `invalidate(name, failedValue)` is compare-and-refresh: WeChat rejected `failedValue`
 *   (40001/42001/40014); refresh only if the row still holds it, otherwise hand back the newer
 *   value someone else already stored.
 *
 * The store does not know how to talk to WeChat: the API client binds a fetcher
 * (`bindFetcher`), or a test passes `fetchCredential` directly.
 */

export type CredentialName = 'access_token' | 'jsapi_ticket';
export const CREDENTIAL_NAMES: readonly CredentialName[] = ['access_token', 'jsapi_ticket'];

export interface FetchedCredential {
  value: string;
  /** seconds, as WeChat's `expires_in` */
  expiresInS: number;
}

export interface FetchContext {
  /** true when a compare-and-refresh found the rejected value still stored (stable_token: force_refresh) */
  forceRefresh: boolean;
  /** the store itself: the jsapi ticket fetch needs the access token */
  tokens: TokenStore;
}

export type CredentialFetcher = (name: CredentialName, ctx: FetchContext) => Promise<FetchedCredential>;

/** What an admin status page may show: never the value. */
export interface CredentialState {
  name: CredentialName;
  present: boolean;
  expiresAt: number;
  version: number;
  updatedAt: Date;
}

export interface TokenStore {
  /** A value with more than the refresh margin left (refreshing first if needed). */
  get(name: CredentialName): Promise<string>;
  /** WeChat rejected `failedValue`: refresh unless the store already holds a newer value; returns the value to use. */
  invalidate(name: CredentialName, failedValue: string): Promise<string>;
  /** Row state without the value (admin status, tests). */
  inspect(name: CredentialName): Promise<CredentialState | null>;
  /** Forget the in-memory copies (tests; the row stays). */
  clearMemory(): void;
  /**
   * Forget every stored credential, rows included: for a platform that has forgotten what it
   * issued (the sandbox simulator after a restart or reset). A stale jsapi_ticket cannot be
   * detected otherwise: only the page's wx.config fails.
   */
  forgetAll(): Promise<void>;
  /** Used by the API client to supply how credentials are fetched from WeChat. */
  bindFetcher(fetcher: CredentialFetcher): void;
}

export interface TokenStoreOptions {
  db: Database;
  logger: Logger;
  now?: () => number;
  fetchCredential?: CredentialFetcher;
  /** refresh when less than this is left (default 5 minutes) */
  refreshAheadMs?: number;
  /**
   * how long this process trusts its in-memory copy before re-reading the row (default 30 s);
   * the copy is only a cache: a value another instance replaced is found on the next read, or
   * through compare-and-refresh when WeChat rejects it
   */
  memoryTtlMs?: number;
}

interface Cached {
  value: string;
  expiresAt: number;
  readAt: number;
}

export function createTokenStore(opts: TokenStoreOptions): TokenStore {
  const { db } = opts;
  const now = opts.now ?? Date.now;
  // `component`, not `area`: the parent logger already carries area=wechat (a repeated key makes invalid-looking JSON)
  const logger = opts.logger.child({ component: 'tokens' });
  const refreshAheadMs = opts.refreshAheadMs ?? 5 * 60_000;
  const memoryTtlMs = opts.memoryTtlMs ?? 30_000;
  let fetcher = opts.fetchCredential;
  const memory = new Map<CredentialName, Cached>();
  const inflight = new Map<CredentialName, Promise<string>>();

  const isFresh = (expiresAt: number, t: number) => expiresAt - t > refreshAheadMs;

  async function readRow(name: CredentialName) {
    const [row] = await db.select().from(wechatCredentials).where(eq(wechatCredentials.name, name)).limit(1);
    return row;
  }

  /**
   * The cross-process part. `failed` set = compare-and-refresh; otherwise refresh-if-stale.
   */
  async function lockedRefresh(name: CredentialName, failed: string | undefined): Promise<string> {
    if (!fetcher) throw new Error('token store has no credential fetcher (createWechatClient binds one)');
    const fetchCredential = fetcher;
    // Outside the locking transaction: two transactions that both INSERT IGNORE the same new key
    // and then lock it can deadlock; an autocommit insert holds nothing afterwards.
    await db.insert(wechatCredentials).ignore().values({ name, value: null, expiresAt: 0, version: 0 });
    const result = await db.transaction(async (tx) => {
      const [row] = await tx.select().from(wechatCredentials).where(eq(wechatCredentials.name, name)).for('update');
      if (!row) throw new Error(`wechat_credentials row ${name} vanished`);
      const t = now();
      if (row.value && row.expiresAt > t) {
        if (failed === undefined ? isFresh(row.expiresAt, t) : row.value !== failed) {
          return { value: row.value, expiresAt: row.expiresAt, refreshed: false, version: row.version };
        }
      }
      const forceRefresh = failed !== undefined && row.value === failed;
      const started = now();
      const got = await fetchCredential(name, { forceRefresh, tokens: store });
      if (!got.value || !(got.expiresInS > 0)) throw new Error(`WeChat returned no usable ${name}`);
      // Counted from before the request: the platform's clock started no later than that.
      const expiresAt = started + got.expiresInS * 1000;
      await tx
        .update(wechatCredentials)
        .set({ value: got.value, expiresAt, version: sql`${wechatCredentials.version} + 1`, updatedAt: new Date(now()) })
        .where(eq(wechatCredentials.name, name));
      return { value: got.value, expiresAt, refreshed: true, version: row.version + 1 };
    });
    memory.set(name, { value: result.value, expiresAt: result.expiresAt, readAt: now() });
    if (result.refreshed) {
      logger.info({ credential: name, version: result.version, expiresInS: Math.round((result.expiresAt - now()) / 1000), compareAndRefresh: failed !== undefined }, 'credential refreshed');
    }
    return result.value;
  }

  async function lockedRefreshWithRetry(name: CredentialName, failed: string | undefined): Promise<string> {
    try {
      return await lockedRefresh(name, failed);
    } catch (err) {
      const errno = mysqlError(err)?.errno;
      // Waited too long behind another instance's refresh (or a deadlock): by now the row is
      // most likely fresh; one more locked look decides.
      if (errno !== ER_LOCK_WAIT_TIMEOUT && errno !== ER_LOCK_DEADLOCK) throw err;
      logger.warn({ credential: name, errno }, 'credential lock contended; retrying once');
      return lockedRefresh(name, failed);
    }
  }

  /** The in-process part: one refresh per credential at a time, shared by all callers. */
  function start(name: CredentialName, failed: string | undefined): Promise<string> {
    const running = inflight.get(name);
    if (running) return running;
    const p = lockedRefreshWithRetry(name, failed).finally(() => {
      if (inflight.get(name) === p) inflight.delete(name);
    });
    inflight.set(name, p);
    return p;
  }

  function refresh(name: CredentialName, failed: string | undefined): Promise<string> {
    const running = inflight.get(name);
    if (!running) return start(name, failed);
    if (failed === undefined) return running;
    // A refresh is already under way: if it yields something other than the rejected value, use it.
    return running.then(
      (v) => (v !== failed ? v : start(name, failed)),
      () => start(name, failed),
    );
  }

  const store: TokenStore = {
    async get(name) {
      const t = now();
      const cached = memory.get(name);
      if (cached && isFresh(cached.expiresAt, t) && t - cached.readAt < memoryTtlMs) return cached.value;
      const running = inflight.get(name);
      if (running) return running;
      const row = await readRow(name);
      if (row?.value && isFresh(row.expiresAt, now())) {
        memory.set(name, { value: row.value, expiresAt: row.expiresAt, readAt: now() });
        return row.value;
      }
      return refresh(name, undefined);
    },

    async invalidate(name, failedValue) {
      const cached = memory.get(name);
      if (cached?.value === failedValue) memory.delete(name);
      logger.warn({ credential: name }, 'credential rejected by WeChat; compare-and-refresh');
      return refresh(name, failedValue);
    },

    async inspect(name) {
      const row = await readRow(name);
      if (!row) return null;
      return { name, present: Boolean(row.value), expiresAt: row.expiresAt, version: row.version, updatedAt: row.updatedAt };
    },

    clearMemory() {
      memory.clear();
    },

    async forgetAll() {
      memory.clear();
      await db.delete(wechatCredentials);
    },

    bindFetcher(f) {
      fetcher = f;
    },
  };
  return store;
}
