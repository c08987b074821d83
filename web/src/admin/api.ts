/**
 * The admin app's API client: wraps common/api.ts, adds the session's X-CSRF-Token to every
 * write, and on 401 (no session, expired, revoked) forgets the session and goes to the login
 * page, coming back afterwards. A 403 STAFF_CSRF_INVALID (token rotated by a new sign-in in
 * another tab) refreshes the session once and retries.
 */
import { ApiError, apiRequest, withQuery, type Envelope, type RequestOptions } from '../common/api';
import { loadSession, session } from './session';

export { ApiError, describeError, withQuery } from '../common/api';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Set by main.ts (router.push to the login page); a plain navigation before that. */
let onSignedOut: (returnPath: string) => void = (returnPath) => {
  window.location.assign(withQuery('/admin/login', { return: returnPath }));
};
export function setSignedOutHandler(handler: (returnPath: string) => void): void {
  onSignedOut = handler;
}

function currentAdminPath(): string {
  const p = `${window.location.pathname}${window.location.search}`;
  return p.startsWith('/admin') ? p.slice('/admin'.length) || '/' : '/';
}

export async function adminRequest<T, P = unknown>(method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<Envelope<T, P>> {
  const send = () => {
    const csrf = method === 'GET' ? undefined : session.value?.csrfToken;
    return apiRequest<T, P>(method, path, body, { ...options, headers: { ...options.headers, ...(csrf ? { 'x-csrf-token': csrf } : {}) } });
  };
  try {
    return await send();
  } catch (err) {
    if (err instanceof ApiError && err.status === 403 && err.code === 'STAFF_CSRF_INVALID') {
      if (await loadSession(true)) return send();
    }
    if (err instanceof ApiError && err.status === 401 && err.code === 'UNAUTHENTICATED') {
      session.value = null;
      onSignedOut(currentAdminPath());
    }
    throw err;
  }
}

export const adminGet = async <T>(path: string, options?: RequestOptions): Promise<T> => (await adminRequest<T>('GET', path, undefined, options)).data;
export const adminPost = async <T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> => (await adminRequest<T>('POST', path, body ?? {}, options)).data;
export const adminPut = async <T>(path: string, body: unknown, options?: RequestOptions): Promise<T> => (await adminRequest<T>('PUT', path, body, options)).data;
export const adminPatch = async <T>(path: string, body: unknown, options?: RequestOptions): Promise<T> => (await adminRequest<T>('PATCH', path, body, options)).data;
export const adminDelete = async <T = void>(path: string, options?: RequestOptions): Promise<T> => (await adminRequest<T>('DELETE', path, undefined, options)).data;
/** A list endpoint's `{ data, page }`. */
export const adminGetPage = async <T, P = unknown>(path: string, options?: RequestOptions) => {
  const env = await adminRequest<T[], P>('GET', path, undefined, options);
  return { items: env.data, page: env.page };
};
