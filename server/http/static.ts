import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Context, Next } from 'koa';
import send from 'koa-send';
import { AppError } from './errors';

/** The single-page apps Vite builds; each falls back to its own index.html. */
export const WEB_APPS = ['h5', 'admin', 'sandbox'] as const;
const YEAR_S = 365 * 24 * 3600;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves web/dist after the router declined a request. Content-hashed files under /assets/
 * are cached forever; HTML is revalidated every time so a deploy reaches citizens at once.
 * `/h5/*`, `/admin/*` and `/sandbox/*` fall back to their app's index.html (client routing),
 * except under `apiPrefixes`, which must answer JSON 404s instead of a page.
 */
export function staticFiles(opts: { distDir: string; apiPrefixes?: string[]; apps?: readonly string[] }) {
  const root = resolve(opts.distDir);
  const apiPrefixes = opts.apiPrefixes ?? [];
  const apps = opts.apps ?? WEB_APPS;

  const serve = (ctx: Context, relPath: string, immutable: boolean) =>
    send(ctx, relPath, {
      root,
      index: false,
      hidden: false,
      immutable,
      maxage: immutable ? YEAR_S * 1000 : 0,
      setHeaders(res, path) {
        if (!immutable) res.setHeader('Cache-Control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=3600');
      },
    });

  return async function serveStatic(ctx: Context, next: Next) {
    await next();
    if (ctx.body !== undefined || ctx.status !== 404) return;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return;
    const path = ctx.path;
    if (path.includes('\0') || path.split('/').includes('..')) return;

    if (path === '/') return ctx.redirect('/h5/');
    if (path.startsWith('/assets/')) {
      if (await isFile(resolve(root, `.${path}`))) await serve(ctx, path, true);
      return;
    }
    const app = apps.find((a) => path === `/${a}` || path.startsWith(`/${a}/`));
    if (!app || apiPrefixes.some((p) => path.startsWith(p))) return;
    if (path === `/${app}`) return ctx.redirect(`/${app}/`);

    const file = resolve(root, `.${path}`);
    if (file.startsWith(root + sep) && extname(path) !== '' && (await isFile(file))) {
      await serve(ctx, path, false);
      return;
    }
    // Client-side routes have no extension; a missing /h5/logo.png stays a 404.
    if (extname(path) !== '' && !path.endsWith('.html')) return;
    const index = `/${app}/index.html`;
    if (!(await isFile(resolve(root, `.${index}`)))) {
      throw new AppError('NOT_FOUND', 'The web pages are not built yet: run `npm run build:web` (npm start does this automatically).');
    }
    await serve(ctx, index, false);
  };
}
