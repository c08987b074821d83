/**
 * Shapes of the system endpoints the web apps read, taken from the server's own types so the
 * two cannot drift (`import type` vanishes at build time).
 */
import type { Readiness as ServerReadiness, SystemService } from '../../../server/system/service';
import type { PortalMeta } from '../../../server/system/routes';
import type { UsageStats } from '../../../server/usage/recorder';

/** 200 body of GET /healthz. */
export type Health = ReturnType<SystemService['health']>;

export type ReadyChecks = ServerReadiness['checks'];
/** Every value a readiness check can take. */
export type CheckState = ReadyChecks[keyof ReadyChecks];

export type UsageFlusherStats = UsageStats;

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
export type SiteMeta = PortalMeta;
