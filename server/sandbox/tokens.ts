import { ACCESS_TOKEN_SHAPE, newAccessToken, newTicket } from './ids';
import { beijingDay } from './clock';
import { WxError } from './wire';

/**
 * The account's access tokens (PROTOCOL §3). Classic `/cgi-bin/token` issues a new token per
 * call and leaves the previous one valid for 5 more minutes; `/cgi-bin/stable_token` returns
 * the same token while it has more than 5 minutes left, and `force_refresh` replaces it at
 * once. The two kinds never invalidate each other.
 */
export const TOKEN_TTL_S = 7200;
const OVERLAP_MS = 5 * 60_000;
const FORCE_MIN_GAP_MS = 30_000;
const FORCE_PER_DAY = 20;
/** how long a dead token is still recognised (42001/40001 rather than "never issued") */
const MEMORY_MS = 24 * 3600_000;
const MAX_TOKENS = 10_000;

interface Issued {
  token: string;
  kind: 'classic' | 'stable';
  expiresAt: number;
  /** when it stopped being the latest plus the overlap: 40001 from then on */
  revokedAt?: number;
}

export interface TokenStore {
  issueClassic(): { access_token: string; expires_in: number };
  stable(forceRefresh: boolean): { access_token: string; expires_in: number };
  /** Throws 40014 (malformed), 40001 (unknown or superseded) or 42001 (expired). */
  check(token: string): void;
  /** The fault "forced expiry": every token and ticket issued so far answers 42001 from now on. */
  expireAll(): number;
  jsapiTicket(type: 'jsapi' | 'wx_card'): { ticket: string; expires_in: number };
  currentTicket(type: 'jsapi' | 'wx_card'): string | undefined;
  reset(): void;
}

export function createTokenStore(now: () => number): TokenStore {
  let tokens = new Map<string, Issued>();
  let seq = 0;
  let classic: Issued | undefined;
  let stableCur: Issued | undefined;
  let forces: number[] = [];
  let tickets = new Map<string, { ticket: string; expiresAt: number }>();

  function issue(kind: Issued['kind']): Issued {
    const t = now();
    if (tokens.size >= MAX_TOKENS) prune(t);
    const rec: Issued = { token: newAccessToken(++seq), kind, expiresAt: t + TOKEN_TTL_S * 1000 };
    tokens.set(rec.token, rec);
    return rec;
  }

  function prune(t: number) {
    for (const [k, v] of tokens) if (Math.min(v.expiresAt, v.revokedAt ?? Infinity) < t - MEMORY_MS) tokens.delete(k);
    // Still full: forget the oldest (they answer 40001 from then on).
    for (const k of tokens.keys()) {
      if (tokens.size < MAX_TOKENS) break;
      tokens.delete(k);
    }
  }

  const remainingS = (rec: Issued) => Math.max(0, Math.floor((rec.expiresAt - now()) / 1000));

  return {
    issueClassic() {
      const prev = classic;
      classic = issue('classic');
      if (prev) prev.revokedAt = Math.min(prev.expiresAt, now() + OVERLAP_MS);
      return { access_token: classic.token, expires_in: TOKEN_TTL_S };
    },

    stable(forceRefresh) {
      const t = now();
      if (forceRefresh) {
        if (forces.length > 0 && t - (forces[forces.length - 1] ?? 0) < FORCE_MIN_GAP_MS) throw new WxError(45011, 'hint: [force_refresh at most once per 30 seconds]');
        forces = forces.filter((f) => beijingDay(f) === beijingDay(t));
        if (forces.length >= FORCE_PER_DAY) throw new WxError(45009, 'hint: [force_refresh at most 20 times a day]');
        forces.push(t);
        if (stableCur) stableCur.revokedAt = t;
        stableCur = issue('stable');
      } else if (!stableCur || stableCur.expiresAt - t <= OVERLAP_MS) {
        // Renewed in its last 5 minutes; the old one stays valid until its own expiry.
        stableCur = issue('stable');
      }
      return { access_token: stableCur.token, expires_in: remainingS(stableCur) };
    },

    check(token) {
      if (!ACCESS_TOKEN_SHAPE.test(token)) throw new WxError(40014);
      const rec = tokens.get(token);
      if (!rec) throw new WxError(40001);
      const t = now();
      if (rec.revokedAt !== undefined && rec.revokedAt < rec.expiresAt && t >= rec.revokedAt) throw new WxError(40001);
      if (t >= rec.expiresAt) throw new WxError(42001);
    },

    expireAll() {
      const t = now();
      let n = 0;
      for (const rec of tokens.values()) {
        if (rec.expiresAt > t) {
          rec.expiresAt = t;
          n++;
        }
      }
      for (const tk of tickets.values()) tk.expiresAt = Math.min(tk.expiresAt, t);
      return n;
    },

    jsapiTicket(type) {
      const t = now();
      let cur = tickets.get(type);
      if (!cur || cur.expiresAt <= t) {
        cur = { ticket: newTicket(), expiresAt: t + TOKEN_TTL_S * 1000 };
        tickets.set(type, cur);
      }
      return { ticket: cur.ticket, expires_in: Math.floor((cur.expiresAt - t) / 1000) };
    },

    currentTicket(type) {
      const cur = tickets.get(type);
      return cur && cur.expiresAt > now() ? cur.ticket : undefined;
    },

    reset() {
      tokens = new Map();
      classic = undefined;
      stableCur = undefined;
      forces = [];
      tickets = new Map();
    },
  };
}
