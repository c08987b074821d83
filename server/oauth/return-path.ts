import { AppError } from '../http/errors';

/**
 * Where a citizen may be sent after sign-in: a path of the H5 app on this site, nothing else
 * (no scheme, no host, no `//` or backslash tricks, no encoded escapes that decode into them).
 */
export function safeReturnPath(raw: string | undefined): string {
  const value = (raw ?? '/h5/').trim();
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    throw new AppError('OAUTH_RETURN_INVALID');
  }
  const bad = (s: string) => !s.startsWith('/h5') || s.startsWith('//') || /[\\\s]/.test(s) || /^\/h5[^/?#]/.test(s) || s.includes('/../') || s.endsWith('/..');
  if (value.length > 1024 || bad(value) || bad(decoded)) throw new AppError('OAUTH_RETURN_INVALID');
  const url = new URL(value, 'http://portal.invalid');
  if (url.host !== 'portal.invalid') throw new AppError('OAUTH_RETURN_INVALID');
  return `${url.pathname}${url.search}`;
}
