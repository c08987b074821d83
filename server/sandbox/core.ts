import { createHash } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { CodecConfig } from '../wechat/codec';
import { createChatLog, type ChatLog } from './chat';
import { createCsWindow, type CsWindow } from './cs-window';
import { createFaults, type Faults } from './faults';
import { createMenuStore, type MenuStore } from './menus';
import { createOAuthStore, type OAuthStore } from './oauth';
import { DEFAULT_PUSH_OPTIONS, type PusherOptions } from './pusher';
import { createQrStore, type QrStore } from './qrcodes';
import { createTagStore, type TagStore } from './tags';
import { createTemplateService, type TemplateService } from './templates';
import { createTokenStore, type TokenStore } from './tokens';
import { createUserDirectory, type UserDirectory } from './users';

/** What createSandbox accepts; everything after `selfUrl` is optional tuning for tests and demos. */
export interface SandboxOptions {
  config: Config;
  logger: Logger;
  /** this process's base URL: pushes go to `${selfUrl()}/wechat` */
  selfUrl: () => string;
  now?: () => number;
  /** 0..1, for fault rates */
  random?: () => number;
  push?: Partial<PusherOptions>;
  /** delay before the TEMPLATESENDJOBFINISH receipt, ms (default 300) */
  receiptDelayMs?: number;
  templateDailyQuota?: number;
  /** the account's original id (`gh_…`); derived from the AppID when omitted */
  originalId?: string;
  /**
   * Where the phone opens a menu/template link to one of the portal's H5 pages. Default: the
   * portal's OAuth start, `${publicBaseUrl}/oauth/start?return=<path>`.
   */
  portalEntryUrl?: (page: URL) => string;
  /**
   * Called after a control-API reset has emptied the platform: the portal re-publishes its
   * menu, as it does at start (a real platform never loses the menu).
   */
  afterReset?: () => Promise<unknown>;
  /** cookies a "new phone" must not carry over (the portal's session), cleared on switching citizen */
  portalCookies?: string[];
}

/** The simulated platform's state, shared by its routes and its public API. */
export interface SandboxCore {
  config: Config;
  logger: Logger;
  now: () => number;
  originalId: string;
  publicBaseUrl: string;
  codec: CodecConfig;
  tokens: TokenStore;
  users: UserDirectory;
  tags: TagStore;
  menus: MenuStore;
  templates: TemplateService;
  oauth: OAuthStore;
  qrcodes: QrStore;
  chat: ChatLog;
  csWindow: CsWindow;
  faults: Faults;
}

export function createCore(opts: SandboxOptions): SandboxCore {
  const now = opts.now ?? Date.now;
  const { config } = opts;
  const wechat = config.wechat;
  return {
    config,
    logger: opts.logger,
    now,
    originalId: opts.originalId ?? `gh_${createHash('sha1').update(wechat.appId).digest('hex').slice(0, 12)}`,
    publicBaseUrl: config.publicBaseUrl,
    // The platform knows only the current EncodingAESKey; rotation is the portal's concern.
    codec: { token: wechat.token, appId: wechat.appId, aesKey: wechat.aesKey, mode: wechat.messageMode, timestampToleranceS: wechat.timestampToleranceS },
    tokens: createTokenStore(now),
    users: createUserDirectory({ now, publicBaseUrl: config.publicBaseUrl }),
    tags: createTagStore(),
    menus: createMenuStore(),
    templates: createTemplateService({ now, dailyQuota: opts.templateDailyQuota }),
    oauth: createOAuthStore(now),
    qrcodes: createQrStore(now),
    chat: createChatLog(now),
    csWindow: createCsWindow(now),
    faults: createFaults(opts.random ?? Math.random),
  };
}

export const pushOptions = (opts: SandboxOptions): PusherOptions => ({ ...DEFAULT_PUSH_OPTIONS, ...opts.push });
