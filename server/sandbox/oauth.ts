import { newAccessToken, newOAuthCode } from './ids';
import { TOKEN_TTL_S } from './tokens';
import { WxError } from './wire';

/**
 * Web OAuth state (PROTOCOL §5): single-use codes valid 5 minutes, web access tokens
 * (2 hours, distinct from the account token) and refresh tokens (30 days).
 */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';

const CODE_TTL_MS = 5 * 60_000;
const REFRESH_TTL_MS = 30 * 24 * 3600_000;
/** used/expired codes are remembered this long, so a replay answers 40163/42003, not 40029 */
const CODE_MEMORY_MS = 24 * 3600_000;
/** per map; beyond it the oldest entries are forgotten (a load test must not exhaust memory) */
const MAX_ENTRIES = 50_000;

function capped<V>(map: Map<string, V>): void {
  for (const k of map.keys()) {
    if (map.size <= MAX_ENTRIES) break;
    map.delete(k);
  }
}

interface Grant {
  openid: string;
  scope: OAuthScope;
  snapshot: boolean;
}

interface Code extends Grant {
  issuedAt: number;
  used: boolean;
}

interface WebToken extends Grant {
  expiresAt: number;
}

interface Refresh extends Grant {
  expiresAt: number;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: string;
  is_snapshotuser?: 1;
}

export interface OAuthStore {
  issueCode(grant: Grant): string;
  exchange(code: string): TokenResponse;
  refresh(refreshToken: string): TokenResponse;
  /** 40001 unknown, 42001 expired; the caller checks openid and scope. */
  checkWebToken(token: string): Grant;
  expireAll(): void;
  reset(): void;
}

export function createOAuthStore(now: () => number): OAuthStore {
  let codes = new Map<string, Code>();
  let webTokens = new Map<string, WebToken>();
  let refreshTokens = new Map<string, Refresh>();
  let seq = 0;

  let calls = 0;
  function prune(t: number) {
    // The time sweep is O(n): every 500th call is plenty; the caps hold on every call.
    if (++calls % 500 === 0) sweep(t);
    capped(codes);
    capped(webTokens);
    capped(refreshTokens);
  }

  function sweep(t: number) {
    for (const [k, c] of codes) if (t - c.issuedAt > CODE_MEMORY_MS) codes.delete(k);
    for (const [k, w] of webTokens) if (t - w.expiresAt > CODE_MEMORY_MS) webTokens.delete(k);
    for (const [k, r] of refreshTokens) if (t > r.expiresAt + CODE_MEMORY_MS) refreshTokens.delete(k);
  }

  function tokenFor(grant: Grant, refreshToken: string): TokenResponse {
    const t = now();
    prune(t);
    const token = newAccessToken(++seq);
    webTokens.set(token, { ...grant, expiresAt: t + TOKEN_TTL_S * 1000 });
    return {
      access_token: token,
      expires_in: TOKEN_TTL_S,
      refresh_token: refreshToken,
      openid: grant.openid,
      scope: grant.scope,
      ...(grant.snapshot ? { is_snapshotuser: 1 as const } : {}),
    };
  }

  return {
    issueCode(grant) {
      const t = now();
      prune(t);
      const code = newOAuthCode();
      codes.set(code, { ...grant, issuedAt: t, used: false });
      return code;
    },
    exchange(code) {
      const c = codes.get(code);
      if (!c) throw new WxError(40029);
      if (c.used) throw new WxError(40163);
      if (now() - c.issuedAt > CODE_TTL_MS) throw new WxError(42003);
      c.used = true;
      const grant = { openid: c.openid, scope: c.scope, snapshot: c.snapshot };
      const refreshToken = newAccessToken(++seq);
      refreshTokens.set(refreshToken, { ...grant, expiresAt: now() + REFRESH_TTL_MS });
      return tokenFor(grant, refreshToken);
    },
    refresh(refreshToken) {
      const r = refreshTokens.get(refreshToken);
      if (!r) throw new WxError(40030);
      if (now() >= r.expiresAt) throw new WxError(42002);
      return tokenFor({ openid: r.openid, scope: r.scope, snapshot: r.snapshot }, refreshToken);
    },
    checkWebToken(token) {
      const w = webTokens.get(token);
      if (!w) throw new WxError(40001);
      if (now() >= w.expiresAt) throw new WxError(42001);
      return { openid: w.openid, scope: w.scope, snapshot: w.snapshot };
    },
    expireAll() {
      const t = now();
      for (const w of webTokens.values()) w.expiresAt = Math.min(w.expiresAt, t);
    },
    reset() {
      codes = new Map();
      webTokens = new Map();
      refreshTokens = new Map();
    },
  };
}
