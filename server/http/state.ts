import type { Logger } from '../logger';
import type { StaffPrincipal } from '../staff/roles';

/** What middleware puts on ctx.state; areas read it, only the owning middleware writes it. */
export interface AppState {
  requestId: string;
  log: Logger;
  /** set by the citizen session middleware (OAuth) when the browser has a session */
  citizen?: { id: number; openid: string };
  /** a snapshot-mode (朋友圈 preview) visitor: signed in, but WeChat gave no real identity */
  guest?: boolean;
  /** set by the staff session middleware for /api/admin requests with a valid staff session */
  staff?: StaffPrincipal;
}
