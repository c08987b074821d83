import { createHash, randomInt } from 'node:crypto';
import { AppError } from '../http/errors';

/**
 * JS-SDK `wx.config` parameters (PROTOCOL §6). The signature is SHA-1 over
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` (keys sorted ASCII, raw values, no escaping),
 * where `url` is the page URL without `#` and what follows. The URL is otherwise signed exactly
 * as given: the page sends `location.href.split('#')[0]` (on iOS SPAs, the landing URL).
 */

export interface JssdkConfig {
  appId: string;
  /** seconds */
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** The URL as it is signed: everything before the first `#`. */
export function signableUrl(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

export function jssdkSignature(p: { jsapiTicket: string; nonceStr: string; timestamp: number | string; url: string }): string {
  const fields: Record<string, string> = {
    jsapi_ticket: p.jsapiTicket,
    noncestr: p.nonceStr,
    timestamp: String(p.timestamp),
    url: signableUrl(p.url),
  };
  const string1 = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('sha1').update(string1, 'utf8').digest('hex');
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomNonce(length = 16): string {
  let s = '';
  for (let i = 0; i < length; i++) s += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return s;
}

export interface Jssdk {
  /** Parameters for `wx.config` on the page at `url`. */
  jssdkConfig(url: string): Promise<JssdkConfig>;
}

export function createJssdk(opts: {
  appId: string;
  /** the shared jsapi ticket (`client.jsapiTicket`) */
  ticket: () => Promise<string>;
  /**
   * Origins whose pages may be signed (e.g. `[config.publicBaseUrl]`); others get
   * JSSDK_URL_NOT_ALLOWED. Omit to sign any http(s) URL.
   */
  allowedOrigins?: string[];
  now?: () => number;
  nonce?: () => string;
}): Jssdk {
  const now = opts.now ?? Date.now;
  const nonce = opts.nonce ?? (() => randomNonce());
  const allowed = opts.allowedOrigins?.map((o) => new URL(o).origin);
  return {
    async jssdkConfig(url) {
      const signed = signableUrl(url);
      let parsed: URL;
      try {
        parsed = new URL(signed);
      } catch {
        throw new AppError('JSSDK_URL_NOT_ALLOWED', 'The page URL is not a valid absolute URL.');
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AppError('JSSDK_URL_NOT_ALLOWED');
      if (allowed && !allowed.includes(parsed.origin)) throw new AppError('JSSDK_URL_NOT_ALLOWED');
      const jsapiTicket = await opts.ticket();
      const timestamp = Math.floor(now() / 1000);
      const nonceStr = nonce();
      return { appId: opts.appId, timestamp, nonceStr, signature: jssdkSignature({ jsapiTicket, nonceStr, timestamp, url: signed }) };
    },
  };
}
