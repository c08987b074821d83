import type { UsageRecorder } from './recorder';
import type { BeaconBatch } from './schema';

/** How far a browser's clock may be from ours before we use our own time instead. */
const MAX_PAST_MS = 24 * 3600 * 1000;
const MAX_FUTURE_MS = 60 * 1000;

export interface UsageService {
  /** Record a validated beacon batch from an H5 page. */
  acceptBeacon(batch: BeaconBatch, who: { openid?: string | null }): { accepted: number };
}

export function createUsageService(deps: { recorder: UsageRecorder; now?: () => number }): UsageService {
  const now = deps.now ?? Date.now;
  return {
    acceptBeacon(batch, who) {
      const t = now();
      for (const e of batch.events) {
        const at = e.at !== undefined && e.at >= t - MAX_PAST_MS && e.at <= t + MAX_FUTURE_MS ? e.at : t;
        deps.recorder.record({
          source: 'h5', // a browser may not claim to be WeChat or staff
          kind: e.kind,
          name: e.name,
          at,
          visitId: e.visitId,
          openid: who.openid ?? null, // from the server-side session, never from the body
          menuKey: e.menuKey ?? null,
          menuVersion: e.menuVersion ?? null,
          outcome: e.outcome ?? null,
          durationMs: e.durationMs ?? null,
          props: e.props ?? null,
        });
      }
      return { accepted: batch.events.length };
    },
  };
}
