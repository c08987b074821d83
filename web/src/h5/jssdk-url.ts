/**
 * Which JS-SDK script a page loads and which URL it asks the server to sign (PROTOCOL §6).
 * Pure functions, so the rules are tested without a browser.
 *
 * - Live mode loads WeChat's own `jweixin-1.6.0.js`, but only inside WeChat's browser: anywhere
 *   else the SDK cannot work and pages fall back (e.g. 导航 shows the address).
 * - Sandbox mode loads the simulator's stand-in (`/sandbox/jweixin.js`), which verifies the
 *   signature against the simulator's ticket just as WeChat would.
 * - The signed URL is the page URL without `#…`. iOS WeChat keeps verifying the URL the app was
 *   *landed* on (history.pushState does not change it); Android and others verify the current one.
 */
export const LIVE_SDK_URL = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js';
export const SANDBOX_SDK_URL = '/sandbox/jweixin.js';

export type WechatMode = 'sandbox' | 'live';

export const isWechatBrowser = (userAgent: string) => /MicroMessenger/i.test(userAgent);
export const isIOS = (userAgent: string) => /iPhone|iPad|iPod/i.test(userAgent);

/** The script to load, or null when the page runs where no JS-SDK exists. */
export function sdkScriptUrl(mode: WechatMode, userAgent: string): string | null {
  if (mode === 'sandbox') return SANDBOX_SDK_URL;
  return isWechatBrowser(userAgent) ? LIVE_SDK_URL : null;
}

export const withoutFragment = (url: string) => url.split('#')[0] ?? url;

/** The URL to sign for `wx.config` on this device. */
export function urlToSign(userAgent: string, landingUrl: string, currentUrl: string): string {
  return withoutFragment(isIOS(userAgent) ? landingUrl : currentUrl);
}

let landing: string | null = null;

/** Call once at app start, before the router changes the URL. */
export function captureLandingUrl(href: string): void {
  landing ??= withoutFragment(href);
}

export const landingUrl = (fallback: string) => landing ?? withoutFragment(fallback);
