/**
 * What the endpoint groups (menu, template, users, …) need from the API client: a way to call a
 * path with the account's access_token, and a way to call one without it (the OAuth `sns/*`
 * calls carry their own credentials). Timeouts, retries, errcode mapping and token refresh all
 * happen below this interface, in api-client.ts.
 */
export type HttpMethod = 'GET' | 'POST';

export type QueryValue = string | number | boolean | undefined;

export interface ApiCallOptions {
  query?: Record<string, QueryValue>;
  /** JSON body (POST) */
  body?: unknown;
  /**
   * Whether a network error or timeout may be retried. A request that may have reached WeChat
   * and is not idempotent (a customer-service message, a template message without
   * client_msg_id) must not be sent twice; errcode -1 ("system busy") is retried regardless.
   * Default true.
   */
  retryOnNetworkError?: boolean;
}

export interface ApiCaller {
  /** A call that carries `access_token` (compare-and-refresh and one retry on 40001/42001/40014). */
  withToken<T>(method: HttpMethod, path: string, opts?: ApiCallOptions): Promise<T>;
  /** A call without the account token (OAuth `sns/*`: appid+secret or the user's web token). */
  plain<T>(method: HttpMethod, path: string, opts?: ApiCallOptions): Promise<T>;
}

/** The bare acknowledgement most write endpoints answer with. */
export interface WechatAck {
  errcode: number;
  errmsg: string;
}

/** Split a list into chunks of at most `size` (batch endpoints take ≤ 50 or ≤ 100 ids). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
