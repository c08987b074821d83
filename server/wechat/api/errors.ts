import { AppError } from '../../http/errors';

/**
 * WeChat answered with a non-zero errcode. An AppError (WECHAT_API_FAILED, 502) so a route that
 * lets it escape gives a sensible answer; `errmsg` stays out of the client-facing message (it can
 * quote the server's egress IP, e.g. 40164) but is kept on the error for logs.
 */
export class WechatApiError extends AppError {
  override readonly name = 'WechatApiError';
  constructor(
    /** the path only, e.g. `/cgi-bin/menu/create`, never the query (it holds the token) */
    readonly endpoint: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super('WECHAT_API_FAILED', `WeChat ${endpoint} failed with errcode ${errcode}.`, { endpoint, errcode });
  }
}

export type UnavailableReason = 'timeout' | 'network' | 'http_status' | 'bad_response';

/** WeChat could not be reached or answered something that is not its API (WECHAT_API_UNAVAILABLE, 504). */
export class WechatUnavailableError extends AppError {
  override readonly name = 'WechatUnavailableError';
  constructor(
    readonly endpoint: string,
    readonly reason: UnavailableReason,
    /** HTTP status when there was a response */
    readonly httpStatus?: number,
    /** short description of the underlying failure (no URL, no query) */
    readonly detail?: string,
  ) {
    super('WECHAT_API_UNAVAILABLE', `WeChat ${endpoint} could not be reached (${reason}${httpStatus ? ` ${httpStatus}` : ''}).`, {
      endpoint,
      reason,
    });
  }
}

/** errcodes that mean "this access_token is not (or no longer) valid" (PROTOCOL §3.3). */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** -1: system busy, retry later */
export const SYSTEM_BUSY = -1;

export const isTokenError = (err: unknown): err is WechatApiError => err instanceof WechatApiError && TOKEN_ERRCODES.has(err.errcode);
