/**
 * Entry through WeChat OAuth: an H5 API answers 401 CITIZEN_AUTH_REQUIRED with
 * `details.authUrl` (`/oauth/start?return=…&scope=base`). The page then leaves for that URL and
 * WeChat brings the citizen back, signed in, to the page they were on.
 *
 * The server takes the return path from the Referer; the URL is rebuilt here with the page's own
 * path and query so a client-side route (or a browser that sends no Referer) still comes back
 * to the right place.
 */
import { ApiError } from './api';

export const AUTH_REQUIRED_CODE = 'CITIZEN_AUTH_REQUIRED';
const DEFAULT_START = '/oauth/start';

export function isAuthRequired(err: unknown): err is ApiError {
  return err instanceof ApiError && err.status === 401 && err.code === AUTH_REQUIRED_CODE;
}

function authUrlOf(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const url = (details as Record<string, unknown>).authUrl;
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : undefined;
}

/**
 * Where to send the browser: the server's OAuth start URL with `return` set to `currentPath`
 * (path + query, no fragment) when that is an H5 page; the scope the server chose is kept.
 * Only same-origin paths are ever returned.
 */
export function authRedirectUrl(details: unknown, currentPath: string): string {
  const given = authUrlOf(details) ?? `${DEFAULT_START}?scope=base`;
  const url = new URL(given, 'http://x.invalid');
  const back = currentPath.split('#')[0] ?? '';
  if (back.startsWith('/h5/') || back === '/h5') url.searchParams.set('return', back);
  else if (!url.searchParams.has('return')) url.searchParams.set('return', '/h5/');
  if (!url.searchParams.has('scope')) url.searchParams.set('scope', 'base');
  return `${url.pathname}?${url.searchParams.toString()}`;
}

export interface AuthRedirectEnv {
  currentPath: () => string;
  assign: (url: string) => void;
}

const browserEnv = (): AuthRedirectEnv => ({
  currentPath: () => `${window.location.pathname}${window.location.search}`,
  assign: (url) => window.location.assign(url),
});

/** Several calls failing together start one sign-in; a page restored from the back-forward
 * cache later may start another. */
const REDIRECT_DEBOUNCE_MS = 5_000;
let redirectedAt = Number.NEGATIVE_INFINITY;

/**
 * Runs an API call; on 401 CITIZEN_AUTH_REQUIRED starts the sign-in and returns a promise that
 * never settles (the page is being replaced, so callers show no error meanwhile). Other
 * failures are thrown unchanged.
 */
export async function withSignIn<T>(call: () => Promise<T>, env: AuthRedirectEnv = browserEnv()): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isAuthRequired(err)) throw err;
    const now = Date.now();
    if (now - redirectedAt > REDIRECT_DEBOUNCE_MS) {
      redirectedAt = now;
      env.assign(authRedirectUrl(err.details, env.currentPath()));
    }
    return new Promise<T>(() => {});
  }
}

/** Tests only: forget that a redirect was started. */
export function resetSignInRedirect(): void {
  redirectedAt = Number.NEGATIVE_INFINITY;
}
