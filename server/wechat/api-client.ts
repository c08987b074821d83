import type { Database } from '../../db/schema';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { customServiceApi, type CustomServiceApi } from './api/custom-service';
import { SYSTEM_BUSY, WechatApiError, WechatUnavailableError, isTokenError, type UnavailableReason } from './api/errors';
import { menuApi, type MenuApi } from './api/menu';
import { oauthApi, type OauthApi } from './api/oauth';
import { qrcodeApi, type QrcodeApi } from './api/qrcode';
import { tagsApi, type TagsApi } from './api/tags';
import { templateApi, type TemplateApi } from './api/template';
import { ticketApi, type TicketApi } from './api/ticket';
import type { ApiCallOptions, ApiCaller, HttpMethod, QueryValue } from './api/types';
import { usersApi, type UsersApi } from './api/users';
import { keepAliveFetch, timeoutSignal, type FetchResult } from './http-fetch';
import { createTokenStore, type CredentialFetcher, type TokenStore } from './token-store';

export { WechatApiError, WechatUnavailableError, TOKEN_ERRCODES, isTokenError } from './api/errors';

/**
 * The WeChat server API client. Every call has a timeout, is retried with exponential back-off
 * and jitter on errcode -1 and on network errors/timeouts/5xx (never on another errcode), and
 * fails with a typed error (WechatApiError / WechatUnavailableError). Calls that need the
 * account's access_token take it from the shared token store; when WeChat says the token is
 * invalid (40001/42001/40014) the client does compare-and-refresh and retries once.
 *
 * Logs carry the endpoint path, errcode, attempt and duration: never a query string, a body, a
 * token, a ticket or the secret.
 */

/** What the client needs of a response; the global fetch's Response fits too (tests pass one). */
export type FetchFn = (input: string, init: { method: string; headers?: Record<string, string>; body?: string; signal: AbortSignal }) => Promise<FetchResult>;

export interface WechatClientOptions {
  /** e.g. `https://api.weixin.qq.com`, or `${selfUrl}/sandbox` (resolved per call: the port is known late) */
  baseUrl: () => string;
  appId: string;
  appSecret: string;
  /** use `POST /cgi-bin/stable_token` instead of `GET /cgi-bin/token` */
  stableToken: boolean;
  tokens: TokenStore;
  logger: Logger;
  fetch?: FetchFn;
  now?: () => number;
  /** per attempt */
  timeoutMs?: number;
  /** further attempts after the first on errcode -1 / network errors / 5xx */
  retries?: number;
  /** first back-off step; doubled per retry, plus up to the same again as jitter */
  backoffMs?: number;
  /** web OAuth credentials when they differ from the account's (default: appId/appSecret) */
  oauth?: { appId: string; appSecret: string };
  /** test seams */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface WechatClient extends ApiCaller {
  menu: MenuApi;
  template: TemplateApi;
  users: UsersApi;
  tags: TagsApi;
  qrcode: QrcodeApi;
  customService: CustomServiceApi;
  ticket: TicketApi;
  oauth: OauthApi;
  /** the shared access token (refreshed ahead of expiry) */
  accessToken(): Promise<string>;
  /** the shared jsapi ticket, for JS-SDK signatures */
  jsapiTicket(): Promise<string>;
  /** how the token store fetches credentials (bound to `tokens` at creation) */
  fetchCredential: CredentialFetcher;
  tokens: TokenStore;
  appId: string;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Integer literals longer than JavaScript can hold exactly (msgid, menuid) become strings. */
export function parseWechatJson(text: string): unknown {
  let out = '';
  let i = 0;
  let inString = false;
  let last = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i += 2;
      else {
        if (ch === '"') inString = false;
        i++;
      }
      continue;
    }
    if (ch === '"') {
      inString = true;
      i++;
      continue;
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++;
      const literal = text.slice(i, j);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(last, i)}"${literal}"`;
        last = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}

class RetryableFailure {
  constructor(readonly error: WechatApiError | WechatUnavailableError) {}
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code;
  return [e?.name, code].filter(Boolean).join(' ') || 'error';
}

export function createWechatClient(opts: WechatClientOptions): WechatClient {
  const fetchFn: FetchFn = opts.fetch ?? keepAliveFetch;
  const now = opts.now ?? Date.now;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const retries = opts.retries ?? 2;
  const backoffMs = opts.backoffMs ?? 200;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const logger = opts.logger.child({ component: 'api' }); // the parent carries area=wechat
  const { tokens } = opts;

  /** One attempt. Throws RetryableFailure for what may be retried, the typed error otherwise. */
  async function attempt(method: HttpMethod, path: string, query: Record<string, QueryValue>, body: unknown, retryNetwork: boolean): Promise<unknown> {
    const url = new URL(opts.baseUrl().replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const unavailable = (reason: UnavailableReason, status?: number, detail?: string) => new WechatUnavailableError(path, reason, status, detail);
    let res: FetchResult;
    let text: string;
    const timeout = timeoutSignal(timeoutMs);
    try {
      res = await fetchFn(url.toString(), {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json; charset=utf-8' },
        // JSON.stringify leaves CJK unescaped, which is what WeChat expects (and counts bytes on).
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeout.signal,
      });
      text = await res.text();
    } catch (err) {
      const timedOut = (err as { name?: string })?.name === 'TimeoutError' || (err as { name?: string })?.name === 'AbortError';
      const e = unavailable(timedOut ? 'timeout' : 'network', undefined, describe(err));
      if (retryNetwork) throw new RetryableFailure(e);
      throw e;
    } finally {
      timeout.done();
    }
    if (res.status >= 500) {
      const e = unavailable('http_status', res.status);
      if (retryNetwork) throw new RetryableFailure(e);
      throw e;
    }
    let data: unknown;
    try {
      data = parseWechatJson(text);
    } catch {
      throw unavailable(res.ok ? 'bad_response' : 'http_status', res.status, 'body is not JSON');
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw unavailable('bad_response', res.status, 'body is not a JSON object');
    const { errcode, errmsg } = data as { errcode?: unknown; errmsg?: unknown };
    if (errcode !== undefined && errcode !== 0 && errcode !== '0') {
      const e = new WechatApiError(path, Number(errcode), typeof errmsg === 'string' ? errmsg : '');
      // -1 means WeChat did not do it ("system busy, retry later"): safe to retry for any call.
      if (e.errcode === SYSTEM_BUSY) throw new RetryableFailure(e);
      throw e;
    }
    if (!res.ok) throw unavailable('http_status', res.status);
    return data;
  }

  async function send<T>(method: HttpMethod, path: string, o: ApiCallOptions = {}): Promise<T> {
    const retryNetwork = o.retryOnNetworkError ?? true;
    for (let n = 0; ; n++) {
      const started = now();
      try {
        const data = await attempt(method, path, o.query ?? {}, o.body, retryNetwork);
        logger.debug({ endpoint: path, errcode: 0, attempt: n + 1, ms: now() - started }, 'wechat api call');
        return data as T;
      } catch (raw) {
        const err = raw instanceof RetryableFailure ? raw.error : raw;
        const fields = {
          endpoint: path,
          attempt: n + 1,
          ms: now() - started,
          ...(err instanceof WechatApiError ? { errcode: err.errcode, errmsg: err.errmsg } : {}),
          ...(err instanceof WechatUnavailableError ? { reason: err.reason, httpStatus: err.httpStatus, detail: err.detail } : {}),
        };
        if (raw instanceof RetryableFailure && n < retries) {
          const delay = Math.round(backoffMs * 2 ** n + random() * backoffMs);
          logger.warn({ ...fields, retryInMs: delay }, 'wechat api call failed; retrying');
          await sleep(delay);
          continue;
        }
        logger.warn(fields, 'wechat api call failed');
        throw err;
      }
    }
  }

  async function withToken<T>(method: HttpMethod, path: string, o: ApiCallOptions = {}): Promise<T> {
    const token = await tokens.get('access_token');
    try {
      return await send<T>(method, path, { ...o, query: { ...o.query, access_token: token } });
    } catch (err) {
      if (!isTokenError(err)) throw err;
      // Someone may already have replaced the token: use theirs; refresh only if it is still ours.
      const fresh = await tokens.invalidate('access_token', token);
      return send<T>(method, path, { ...o, query: { ...o.query, access_token: fresh } });
    }
  }

  const plain = <T>(method: HttpMethod, path: string, o?: ApiCallOptions) => send<T>(method, path, o);

  const fetchCredential: CredentialFetcher = async (name, ctx) => {
    if (name === 'access_token') {
      const res = opts.stableToken
        ? await send<{ access_token?: unknown; expires_in?: unknown }>('POST', '/cgi-bin/stable_token', {
            body: { grant_type: 'client_credential', appid: opts.appId, secret: opts.appSecret, force_refresh: ctx.forceRefresh },
          })
        : await send<{ access_token?: unknown; expires_in?: unknown }>('GET', '/cgi-bin/token', {
            query: { grant_type: 'client_credential', appid: opts.appId, secret: opts.appSecret },
          });
      if (typeof res.access_token !== 'string' || typeof res.expires_in !== 'number') {
        throw new WechatUnavailableError(opts.stableToken ? '/cgi-bin/stable_token' : '/cgi-bin/token', 'bad_response', 200, 'no access_token');
      }
      return { value: res.access_token, expiresInS: res.expires_in };
    }
    // The ticket call goes through the same compare-and-refresh path for its access token.
    const token = await ctx.tokens.get('access_token');
    const getTicket = (t: string) => send<{ ticket?: unknown; expires_in?: unknown }>('GET', '/cgi-bin/ticket/getticket', { query: { access_token: t, type: 'jsapi' } });
    let res: { ticket?: unknown; expires_in?: unknown };
    try {
      res = await getTicket(token);
    } catch (err) {
      if (!isTokenError(err)) throw err;
      res = await getTicket(await ctx.tokens.invalidate('access_token', token));
    }
    if (typeof res.ticket !== 'string' || typeof res.expires_in !== 'number') {
      throw new WechatUnavailableError('/cgi-bin/ticket/getticket', 'bad_response', 200, 'no ticket');
    }
    return { value: res.ticket, expiresInS: res.expires_in };
  };
  tokens.bindFetcher(fetchCredential);

  const caller: ApiCaller = { withToken, plain };
  return {
    withToken,
    plain,
    menu: menuApi(caller),
    template: templateApi(caller),
    users: usersApi(caller),
    tags: tagsApi(caller),
    qrcode: qrcodeApi(caller),
    customService: customServiceApi(caller),
    ticket: ticketApi(caller),
    oauth: oauthApi(caller, opts.oauth ?? { appId: opts.appId, appSecret: opts.appSecret }),
    accessToken: () => tokens.get('access_token'),
    jsapiTicket: () => tokens.get('jsapi_ticket'),
    fetchCredential,
    tokens,
    appId: opts.appId,
  };
}

/**
 * The wiring deps.ts needs: a token store over the shared table and a client bound to it, with
 * the base URL resolved per call (sandbox mode: this process's own `/sandbox`).
 */
export function createWechat(input: {
  db: Database;
  config: Config;
  logger: Logger;
  selfUrl: { get(): string };
  now?: () => number;
  fetch?: FetchFn;
}): { client: WechatClient; tokens: TokenStore } {
  const { config } = input;
  const tokens = createTokenStore({ db: input.db, logger: input.logger, now: input.now });
  const apiBase = config.wechat.apiBase;
  const client = createWechatClient({
    baseUrl: () => apiBase ?? `${input.selfUrl.get()}/sandbox`,
    appId: config.wechat.appId,
    appSecret: config.wechat.appSecret,
    stableToken: config.wechat.stableToken,
    tokens,
    logger: input.logger,
    fetch: input.fetch,
    now: input.now,
  });
  return { client, tokens };
}
