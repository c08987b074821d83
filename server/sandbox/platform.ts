import { AppError } from '../http/errors';
import type { XmlObject } from '../wechat/xml';
import { createUserActions, type UserActions } from './actions';
import { createCore, pushOptions, type SandboxCore, type SandboxOptions } from './core';
import type { FaultSettings } from './faults';
import type { MatchedMenu } from './menus';
import { createMessaging, type Messaging } from './messaging';
import { resolveOpenUrl } from './open-url';
import { createPushService } from './push-service';
import { createPusher } from './pusher';
import type { SandboxTemplate } from './templates';
import type { ChatEntry, ClientPlatform, PushOutcome, SandboxUser } from './types';
import { UserCreateError, type NewUser } from './users';

export interface UserPatch {
  nickname?: string;
  blocked?: boolean;
  clientPlatform?: ClientPlatform;
  language?: SandboxUser['language'];
}

/**
 * The simulated WeChat platform as the control API, the phone emulator and tests drive it.
 * Methods that act as a person throw AppError (SANDBOX_CITIZEN_NOT_FOUND, CONFLICT,
 * VALIDATION_FAILED); the WeChat-facing routes use the same state through `core`.
 */
/** What a person can do on the simulated platform (UserActions) plus inspection and control. */
export interface SandboxPlatform extends UserActions {
  readonly originalId: string;
  listUsers(): SandboxUser[];
  getUser(openid: string): SandboxUser | undefined;
  userById(id: string): SandboxUser | undefined;
  /** A new user who does not follow yet (no push). */
  createUser(input?: NewUser): SandboxUser;
  updateUser(openid: string, patch: UserPatch): SandboxUser;
  /** Where the phone's browser goes for a link the user opens. */
  openUrl(openid: string, url: string): string;
  /** Push any message/event from this user; `fields` are the XML fields after the envelope (MsgType first). */
  push(openid: string, fields: XmlObject): Promise<PushOutcome>;
  chat(openid: string, afterId?: number): ChatEntry[];
  /** `menu/get`'s answer, undefined when no menu is published. */
  menu(): Record<string, unknown> | undefined;
  menuFor(openid: string): MatchedMenu | undefined;
  templates(): SandboxTemplate[];
  faults(): FaultSettings;
  setFaults(settings: FaultSettings): void;
  clearFaults(): void;
  /** Every access token, web token and ticket issued so far now answers 42001; returns how many tokens. */
  expireTokens(): number;
  /** The current jsapi ticket, for checking a JS-SDK signature. */
  jsapiTicket(): string | undefined;
  /** Back to the seeded state: users, tokens, menus, tags, chats, faults; pending receipts dropped. */
  reset(): void;
  /** Resolves when no push is in flight and no receipt is pending. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface SandboxInternals {
  core: SandboxCore;
  messaging: Messaging;
  platform: SandboxPlatform;
}

export function createPlatform(opts: SandboxOptions): SandboxInternals {
  const core = createCore(opts);
  const pusher = createPusher({
    codec: () => core.codec,
    selfUrl: opts.selfUrl,
    now: core.now,
    logger: core.logger,
    options: pushOptions(opts),
  });
  const pushes = createPushService(core, pusher);
  const messaging = createMessaging(core, pushes, opts.receiptDelayMs ?? 300);
  const openUrl = (openid: string, url: string) =>
    resolveOpenUrl({ url, openid, publicBaseUrl: core.publicBaseUrl, openBase: core.config.wechat.openBase, portalEntryUrl: opts.portalEntryUrl });
  const actions = createUserActions(core, pushes, openUrl);

  const known = (openid: string) => {
    const user = core.users.get(openid);
    if (!user) throw new AppError('SANDBOX_CITIZEN_NOT_FOUND');
    return user;
  };

  const platform: SandboxPlatform = {
    originalId: core.originalId,
    listUsers: () => core.users.list(),
    getUser: (openid) => core.users.get(openid),
    userById: (id) => core.users.byId(id),
    createUser(input = {}) {
      try {
        return core.users.create(input);
      } catch (err) {
        if (!(err instanceof UserCreateError)) throw err;
        if (err.reason === 'malformed') throw new AppError('VALIDATION_FAILED', 'openid: 6-64 letters, digits, - or _');
        throw new AppError('CONFLICT', err.reason === 'taken' ? 'A user with this openid exists.' : 'Too many sandbox users; reset the sandbox.');
      }
    },
    updateUser(openid, patch) {
      const user = known(openid);
      if (patch.nickname !== undefined) user.nickname = patch.nickname;
      if (patch.blocked !== undefined) user.blocked = patch.blocked;
      if (patch.clientPlatform !== undefined) user.clientPlatform = patch.clientPlatform;
      if (patch.language !== undefined) user.language = patch.language;
      return user;
    },
    ...actions,
    openUrl: (openid, url) => openUrl(known(openid).openid, url),
    push: (openid, fields) => pushes.push(known(openid).openid, fields),
    chat: (openid, afterId) => core.chat.list(known(openid).openid, afterId),
    menu: () => core.menus.get(),
    menuFor: (openid) => core.menus.match(known(openid)),
    templates: () => core.templates.list(),
    faults: () => core.faults.get(),
    setFaults: (settings) => core.faults.set(settings),
    clearFaults: () => core.faults.clear(),
    expireTokens() {
      core.oauth.expireAll();
      return core.tokens.expireAll();
    },
    jsapiTicket: () => core.tokens.currentTicket('jsapi'),
    reset() {
      pushes.cancelPending();
      for (const store of [core.tokens, core.users, core.tags, core.menus, core.templates, core.oauth, core.qrcodes, core.chat, core.csWindow]) store.reset();
      core.faults.clear();
    },
    idle: () => pushes.idle(),
    async close() {
      pushes.cancelPending();
      await pushes.idle();
    },
  };
  return { core, messaging, platform };
}
