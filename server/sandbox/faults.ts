/**
 * Injected trouble, so the portal's error paths get exercised: per-endpoint errcodes at a
 * rate (optionally only the next N calls), added latency, an exhausted template quota. Forced
 * token expiry is an action on the token stores, not a setting (see platform.expireTokens).
 */
export interface EndpointFault {
  /** errcode to answer with, e.g. -1, 45009, 40001 */
  errcode: number;
  errmsg?: string;
  /** probability 0..1 that a call fails */
  rate: number;
  /** fail at most this many more calls, then the fault is spent */
  times?: number;
  /** extra delay for this endpoint, ms */
  latencyMs?: number;
}

export interface FaultSettings {
  /** extra delay for every API call, ms */
  latencyMs: number;
  /** keyed by path as on WeChat (`/cgi-bin/message/template/send`), or `*` for every endpoint */
  endpoints: Record<string, EndpointFault>;
  /** template sends answer 45009 */
  templateQuotaExhausted: boolean;
}

export const NO_FAULTS: FaultSettings = { latencyMs: 0, endpoints: {}, templateQuotaExhausted: false };

export interface Faults {
  get(): FaultSettings;
  /** the one setting every template send reads (without copying all of them) */
  templateQuotaExhausted(): boolean;
  set(settings: FaultSettings): void;
  clear(): void;
  /** For one call: how long to wait first, and the errcode to answer with instead, if any. */
  decide(endpoint: string): { delayMs: number; error?: { errcode: number; errmsg?: string } };
}

export function createFaults(random: () => number): Faults {
  let settings: FaultSettings = structuredClone(NO_FAULTS);
  return {
    get: () => structuredClone(settings),
    templateQuotaExhausted: () => settings.templateQuotaExhausted,
    set(next) {
      settings = structuredClone(next);
    },
    clear() {
      settings = structuredClone(NO_FAULTS);
    },
    decide(endpoint) {
      const specific = settings.endpoints[endpoint];
      const wildcard = settings.endpoints['*'];
      const delayMs = settings.latencyMs + (specific?.latencyMs ?? 0) + (wildcard?.latencyMs ?? 0);
      for (const [key, f] of [
        [endpoint, specific],
        ['*', wildcard],
      ] as const) {
        if (!f || f.times === 0) continue;
        if (random() >= f.rate) continue;
        if (f.times !== undefined) {
          f.times--;
          if (f.times === 0) delete settings.endpoints[key];
        }
        return { delayMs, error: { errcode: f.errcode, ...(f.errmsg ? { errmsg: f.errmsg } : {}) } };
      }
      return { delayMs };
    },
  };
}
