/**
 * Shapes of the system endpoints the web apps read. The server does not export these types yet;
 * when it does (e.g. from server/http), replace these with `import type` re-exports.
 */

export interface Health {
  status: string;
  uptimeS: number;
}

export type CheckState = 'ok' | 'pending' | 'fail';

export interface ReadyChecks {
  database: 'ok' | 'fail';
  migrations: 'ok' | 'pending' | 'fail';
}

export interface UsageFlusherStats {
  buffered: number;
  written: number;
  dropped: number;
  failedFlushes: number;
  lastFlushAt: string | number | null;
}

/** 200 body of GET /readyz. */
export interface Readiness {
  status: 'ready';
  checks: ReadyChecks;
  usage: UsageFlusherStats;
}

/** `error.details` of the 503 NOT_READY answer from GET /readyz. */
export interface NotReadyDetails {
  checks: Partial<ReadyChecks>;
  usage?: UsageFlusherStats;
}

/** GET /api/meta */
export interface SiteMeta {
  accountName: string;
  agencyName: string;
  wechatMode: 'sandbox' | 'live';
  version: string;
}
