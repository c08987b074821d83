import type { Context, Next } from 'koa';

/** Headers every response carries; nginx adds TLS-related ones (HSTS) in production. */
export function securityHeaders() {
  return async function setSecurityHeaders(ctx: Context, next: Next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'strict-origin-when-cross-origin');
    // API answers are personal and current; set before `next` so error responses carry it too.
    if (ctx.path.startsWith('/api/')) ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
