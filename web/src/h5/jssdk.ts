/**
 * The JS-SDK for the pages that use it: the script is injected on first use (never in the
 * entry bundle or on pages without a map button), `wx.config` is signed by
 * `GET /api/h5/jssdk-config` for the URL WeChat will check (jssdk-url.ts), and re-run when that
 * URL changes (Android verifies the current URL, which changes with every route).
 */
import { apiGet, withQuery } from '../common/api';
import type { SiteMeta } from '../common/system-types';
import { landingUrl, sdkScriptUrl, urlToSign } from './jssdk-url';

export interface WxOpenLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  scale?: number;
  success?: (res: { errMsg: string }) => void;
  fail?: (res: { errMsg: string }) => void;
}

export interface Wx {
  config(c: { debug?: boolean; appId: string; timestamp: number; nonceStr: string; signature: string; jsApiList: string[] }): void;
  ready(fn: () => void): void;
  error(fn: (res: { errMsg: string }) => void): void;
  openLocation(o: WxOpenLocation): void;
}

/** A JS-SDK failure with WeChat's errMsg (`config:invalid signature`, `openLocation:fail …`). */
export class WxError extends Error {
  constructor(readonly errMsg: string) {
    super(errMsg);
  }
}

const CONFIG_TIMEOUT_MS = 10_000;

let meta: Promise<SiteMeta> | null = null;
let sdk: Promise<Wx | null> | null = null;
let configured: { url: string; ready: Promise<Wx> } | null = null;

function injectScript(src: string): Promise<Wx | null> {
  return new Promise((resolve) => {
    const el = document.createElement('script');
    el.src = src;
    el.async = true;
    el.onload = () => resolve((window as unknown as { wx?: Wx }).wx ?? null);
    el.onerror = () => resolve(null); // blocked or offline: pages fall back
    document.head.appendChild(el);
  });
}

/** The SDK's `wx`, or null outside WeChat (live mode) or when the script cannot load. */
export function loadWx(): Promise<Wx | null> {
  sdk ??= (async () => {
    meta ??= apiGet<SiteMeta>('/api/meta');
    const src = sdkScriptUrl((await meta).wechatMode, navigator.userAgent);
    return src ? injectScript(src) : null;
  })().catch(() => null);
  return sdk;
}

/** `wx` after a successful `wx.config` for this page; rejects with WxError on `wx.error`. */
export async function readyWx(jsApiList: string[]): Promise<Wx> {
  const wx = await loadWx();
  if (!wx) throw new WxError('sdk:unavailable');
  const url = urlToSign(navigator.userAgent, landingUrl(location.href), location.href);
  if (configured?.url === url) return configured.ready;
  const ready = (async () => {
    const c = await apiGet<{ appId: string; timestamp: number; nonceStr: string; signature: string }>(
      withQuery('/api/h5/jssdk-config', { url }),
    );
    return new Promise<Wx>((resolve, reject) => {
      const timer = setTimeout(() => reject(new WxError('config:timeout')), CONFIG_TIMEOUT_MS);
      wx.ready(() => {
        clearTimeout(timer);
        resolve(wx);
      });
      wx.error((res) => {
        clearTimeout(timer);
        reject(new WxError(res?.errMsg ?? 'config:fail'));
      });
      wx.config({ debug: false, appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature, jsApiList });
    });
  })();
  configured = { url, ready };
  // A failed config is not cached: the next tap tries again (the ticket may have been refreshed).
  ready.catch(() => {
    if (configured?.ready === ready) configured = null;
  });
  return ready;
}

/** Opens WeChat's map at a place; rejects with WxError when the SDK refuses. */
export async function openLocation(place: { latitude: number; longitude: number; name: string; address: string }): Promise<void> {
  const wx = await readyWx(['openLocation']);
  await new Promise<void>((resolve, reject) => {
    wx.openLocation({
      ...place,
      scale: 16,
      success: () => resolve(),
      fail: (res) => reject(new WxError(res?.errMsg ?? 'openLocation:fail')),
    });
  });
}
