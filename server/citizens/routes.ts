import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { requireCitizen } from './require-citizen';
import { preferencesPatch, type MeView } from './schema';
import type { CitizenService } from './service';

export type JssdkSigner = (url: string) => Promise<{ appId: string; timestamp: number; nonceStr: string; signature: string }>;

const jssdkQuery = z.object({ url: z.string().min(1).max(1024) });

export function citizenRoutes(deps: { citizens: CitizenService; jssdk: JssdkSigner; publicBaseUrl: string }) {
  const router = new Router<AppState>();
  const origin = new URL(deps.publicBaseUrl).origin;

  /** Who is signed in: for pages deciding whether to start OAuth. No identifiers leave. */
  router.get('/api/h5/me', requireCitizen({ allowGuest: true }), async (ctx) => {
    if (!ctx.state.citizen) {
      ctx.body = { data: { guest: true, subscribed: false, displayName: null } satisfies MeView };
      return;
    }
    ctx.body = { data: await deps.citizens.me(ctx.state.citizen.id) };
  });

  /** The citizen's own settings (elder mode, optional notifications); guests have none to keep. */
  router.patch('/api/h5/me/preferences', requireCitizen(), async (ctx) => {
    const patch = parseInput(preferencesPatch, ctx.request.body ?? {});
    ctx.body = { data: await deps.citizens.updatePreferences(ctx.state.citizen!.id, patch) };
  });

  /**
   * JS-SDK config for one of our pages (PROTOCOL §6). The signature covers the URL without its
   * fragment. On iOS the page must send the URL it was *landed* on (WeChat's iOS browser keeps
   * that one for a single-page app), on Android the current one: web/src/common does this.
   */
  router.get('/api/h5/jssdk-config', async (ctx) => {
    const { url } = parseInput(jssdkQuery, ctx.query);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AppError('JSSDK_URL_NOT_ALLOWED');
    }
    if (parsed.origin !== origin || !parsed.pathname.startsWith('/h5/')) throw new AppError('JSSDK_URL_NOT_ALLOWED');
    parsed.hash = '';
    ctx.body = { data: await deps.jssdk(parsed.toString()) };
  });
  return router;
}
