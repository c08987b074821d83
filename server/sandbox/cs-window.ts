import { WxError } from './wire';

/**
 * When the account may send customer-service messages (PROTOCOL §8.4): after a message, 5
 * within 48 h; after a menu click, a follow or a scan, 3 within a minute. Each kind of
 * interaction replaces its previous allowance.
 */
export type Interaction = 'message' | 'click' | 'follow' | 'scan';

const RULES: Record<Interaction, { count: number; windowMs: number }> = {
  message: { count: 5, windowMs: 48 * 3600_000 },
  click: { count: 3, windowMs: 60_000 },
  follow: { count: 3, windowMs: 60_000 },
  scan: { count: 3, windowMs: 60_000 },
};

interface Allowance {
  remaining: number;
  until: number;
}

export interface CsWindow {
  grant(openid: string, kind: Interaction): void;
  /** 45015 outside every window, 45047 when the open windows are used up. */
  consume(openid: string): void;
  /** Like consume, without using anything up (typing indicator). */
  check(openid: string): void;
  clear(openid: string): void;
  reset(): void;
}

export function createCsWindow(now: () => number): CsWindow {
  let windows = new Map<string, Map<Interaction, Allowance>>();

  function open(openid: string): Allowance[] {
    const t = now();
    const mine = windows.get(openid);
    if (!mine) return [];
    for (const [k, a] of mine) if (a.until <= t) mine.delete(k);
    // Spend the allowance that closes first.
    return [...mine.values()].sort((a, b) => a.until - b.until);
  }

  function usable(openid: string): Allowance {
    const list = open(openid);
    if (list.length === 0) throw new WxError(45015);
    const a = list.find((x) => x.remaining > 0);
    if (!a) throw new WxError(45047);
    return a;
  }

  return {
    grant(openid, kind) {
      const mine = windows.get(openid) ?? new Map<Interaction, Allowance>();
      mine.set(kind, { remaining: RULES[kind].count, until: now() + RULES[kind].windowMs });
      windows.set(openid, mine);
    },
    consume(openid) {
      usable(openid).remaining--;
    },
    check(openid) {
      usable(openid);
    },
    clear(openid) {
      windows.delete(openid);
    },
    reset() {
      windows = new Map();
    },
  };
}
