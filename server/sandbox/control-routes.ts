import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import {
  chatQuery,
  createUserInput,
  faultsInput,
  locationInput,
  menuTapInput,
  openUrlInput,
  patchUserInput,
  phoneInput,
  PLATFORM_CODES,
  presentUser,
  qrInput,
  textInput,
} from './control-schema';
import { setPhoneUser } from './phone-cookie';
import type { SandboxPlatform } from './platform';
import type { SandboxUser } from './types';
import { readRawText } from './wire';

/**
 * The control API for the phone emulator, demos and tests, under `/sandbox/api/`. Users are
 * addressed by their short `id` (u1, u2, …) so openids stay out of logged URL paths.
 * Answers are `{ data }`; errors the portal's `{ error: { code, message, requestId } }`.
 */
async function jsonInput(ctx: Context): Promise<unknown> {
  const raw = await readRawText(ctx);
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AppError('INVALID_JSON');
  }
}

export function mountControlRoutes(
  router: Router<AppState>,
  platform: SandboxPlatform,
  hooks: { afterReset?: () => Promise<unknown>; portalCookies: string[] } = { portalCookies: [] },
): void {
  const user = (ctx: Context): SandboxUser => {
    const u = platform.userById(String(ctx.params.id));
    if (!u) throw new AppError('SANDBOX_CITIZEN_NOT_FOUND');
    return u;
  };
  const reply = (ctx: Context, data: unknown, status = 200) => {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data };
  };

  router.get('/api/users', (ctx) => reply(ctx, platform.listUsers().map(presentUser)));

  router.post('/api/users', async (ctx) => {
    const input = parseInput(createUserInput, await jsonInput(ctx));
    const u = platform.createUser({
      openid: input.openid,
      nickname: input.nickname,
      snapshot: input.snapshot,
      clientPlatform: input.clientPlatform ? PLATFORM_CODES[input.clientPlatform] : undefined,
    });
    const push = input.follow ? await platform.follow(u.openid, input.scene ? { scene: input.scene } : undefined) : undefined;
    reply(ctx, { user: presentUser(u), ...(push ? { push } : {}) }, 201);
  });

  router.get('/api/users/:id', (ctx) => reply(ctx, presentUser(user(ctx))));

  router.patch('/api/users/:id', async (ctx) => {
    const input = parseInput(patchUserInput, await jsonInput(ctx));
    const u = platform.updateUser(user(ctx).openid, {
      ...input,
      clientPlatform: input.clientPlatform ? PLATFORM_CODES[input.clientPlatform] : undefined,
    });
    reply(ctx, presentUser(u));
  });

  router.post('/api/users/:id/follow', async (ctx) => {
    const u = user(ctx);
    const push = await platform.follow(u.openid, parseInput(qrInput, await jsonInput(ctx)));
    reply(ctx, { user: presentUser(u), push });
  });

  router.post('/api/users/:id/unfollow', async (ctx) => {
    const u = user(ctx);
    const push = await platform.unfollow(u.openid);
    reply(ctx, { user: presentUser(u), push });
  });

  router.post('/api/users/:id/scan', async (ctx) => {
    const u = user(ctx);
    const push = await platform.scan(u.openid, parseInput(qrInput, await jsonInput(ctx)));
    reply(ctx, { user: presentUser(u), push });
  });

  router.post('/api/users/:id/messages', async (ctx) => {
    const u = user(ctx);
    const { content } = parseInput(textInput, await jsonInput(ctx));
    const { message, outcome } = await platform.sendText(u.openid, content);
    reply(ctx, { message, push: outcome });
  });

  router.post('/api/users/:id/location', async (ctx) => {
    const u = user(ctx);
    reply(ctx, { push: await platform.sendLocation(u.openid, parseInput(locationInput, await jsonInput(ctx))) });
  });

  router.get('/api/users/:id/menu', (ctx) => reply(ctx, platform.menuFor(user(ctx).openid) ?? null));

  router.post('/api/users/:id/menu-taps', async (ctx) => {
    const u = user(ctx);
    const tap = await platform.tapMenu(u.openid, parseInput(menuTapInput, await jsonInput(ctx)));
    // The phone's browser is now this user's (the authorize step reads it).
    if (tap.action === 'view') setPhoneUser(ctx, u.openid);
    reply(ctx, tap);
  });

  router.post('/api/users/:id/open-url', async (ctx) => {
    const u = user(ctx);
    const { url } = parseInput(openUrlInput, await jsonInput(ctx));
    setPhoneUser(ctx, u.openid);
    reply(ctx, { url: platform.openUrl(u.openid, url) });
  });

  router.get('/api/users/:id/chat', (ctx) => {
    const u = user(ctx);
    reply(ctx, platform.chat(u.openid, parseInput(chatQuery, ctx.query).after));
  });

  router.post('/api/phone', async (ctx) => {
    const { userId } = parseInput(phoneInput, await jsonInput(ctx));
    const u = platform.userById(userId);
    if (!u) throw new AppError('SANDBOX_CITIZEN_NOT_FOUND');
    setPhoneUser(ctx, u.openid);
    // Another citizen's phone is another browser: it must not keep the previous citizen's session.
    for (const name of hooks.portalCookies) {
      ctx.cookies.set(name, null, { path: '/' });
      ctx.cookies.set(`${name}.sig`, null, { path: '/' });
    }
    reply(ctx, { user: presentUser(u) });
  });

  router.get('/api/menu', (ctx) => reply(ctx, platform.menu() ?? null));

  router.get('/api/templates', (ctx) => reply(ctx, platform.templates()));

  router.get('/api/faults', (ctx) => reply(ctx, platform.faults()));
  router.put('/api/faults', async (ctx) => {
    platform.setFaults(parseInput(faultsInput, await jsonInput(ctx)));
    reply(ctx, platform.faults());
  });
  router.delete('/api/faults', (ctx) => {
    platform.clearFaults();
    reply(ctx, platform.faults());
  });
  router.post('/api/faults/expire-tokens', (ctx) => reply(ctx, { expired: platform.expireTokens() }));

  router.post('/api/reset', async (ctx) => {
    platform.reset();
    // The reset itself succeeded; the portal failing to re-publish shows as `menu: false`.
    await hooks.afterReset?.().catch(() => undefined);
    reply(ctx, { users: platform.listUsers().length, menu: platform.menu() !== undefined && platform.menu() !== null });
  });
}
