import type { Database } from '../db/schema';
import { createAppointmentService, type AppointmentService } from './appointments/service';
import { createAutoReplyService, type AutoReplyService } from './auto-reply/service';
import { loadHolidayCalendar, type HolidayCalendar } from './calendar';
import { createCitizenService, type CitizenService } from './citizens/service';
import { createCitizenSessionService, SESSION_COOKIE, type CitizenSessionService } from './citizens/sessions';
import type { Config } from './config';
import type { Logger } from './logger';
import { createMenuService, type MenuService } from './menu/service';
import { createOAuthService, type OAuthService } from './oauth/service';
import { createWechat } from './wechat/api-client';
import type { WechatClient } from './wechat/api-client';
import { createWechatEventBus, type WechatEventBus } from './wechat/event-bus';
import { createJssdk, type Jssdk } from './wechat/jssdk';
import { lateReplyMessage } from './wechat/late-reply';
import { createPushDedupe, type PushDedupe } from './wechat/push-dedupe';
import { createPushHandler, type PushHandler } from './wechat/push-handler';
import { createInFlight, type InFlight } from './http/in-flight';
import { createSandbox, type SandboxPlatform } from './sandbox';
import type Router from '@koa/router';
import type { AppState } from './http/state';
import { createSystemService, type SystemService } from './system/service';
import { createPseudonymiser, type Pseudonymiser } from './usage/pseudonym';
import { createUsageRecorder, type UsageRecorder } from './usage/recorder';
import { createUsageService, type UsageService } from './usage/service';
import { createViolationService, type ViolationService } from './violations/service';

/**
 * Everything the app and the workers need, built once. Services receive their dependencies
 * explicitly, so a test can build a bundle around its own database, clock or recorder.
 */
export interface Deps {
  config: Config;
  logger: Logger;
  db: Database;
  now: () => number;
  pseudonymise: Pseudonymiser;
  usageRecorder: UsageRecorder;
  usage: UsageService;
  system: SystemService;
  citizens: CitizenService;
  sessions: CitizenSessionService;
  autoReply: AutoReplyService;
  wechat: WechatClient;
  wechatEvents: WechatEventBus;
  pushDedupe: PushDedupe;
  pushHandler: PushHandler;
  /** deliver a reply that missed the passive-reply deadline */
  sendLateReply(openid: string, reply: import('../db/schema').StoredReply): Promise<void>;
  menus: MenuService;
  jssdk: Jssdk;
  oauth: OAuthService;
  violations: ViolationService;
  appointments: AppointmentService;
  /** the simulated WeChat platform, in sandbox mode only */
  sandbox?: { router: Router<AppState>; platform: SandboxPlatform };
  version: string;
  /**
   * This process's own base URL once it listens (PORT may be 0). The sandbox pushes to
   * `${selfUrl}/wechat`, and in sandbox mode the API client calls `${selfUrl}/sandbox`.
   */
  selfUrl: SelfUrl;
  /** requests and background work that shutdown waits for before closing buffers */
  inFlight: InFlight;
  /** the Chinese public-holiday calendar with 调休 (bundled years + HOLIDAY_DATA_DIR), for working-day rules */
  calendar: HolidayCalendar;
  /** Flush buffers and stop background work (the pool is closed by its owner). */
  close(): Promise<void>;
}

export interface SelfUrl {
  get(): string;
  set(url: string): void;
}

function createSelfUrl(initial: string): SelfUrl {
  let url = initial;
  return { get: () => url, set: (u) => void (url = u.replace(/\/+$/, '')) };
}

export function createDeps(input: { config: Config; logger: Logger; db: Database; now?: () => number; version?: string }): Deps {
  const { config, logger, db } = input;
  const now = input.now ?? Date.now;
  const pseudonymise = createPseudonymiser(config.usage.pseudonymSecret);
  const usageRecorder = createUsageRecorder({
    db,
    logger: logger.child({ area: 'usage' }),
    pseudonymise,
    now,
    enabled: config.usage.enabled,
    batchSize: config.usage.batchSize,
    flushIntervalMs: config.usage.flushIntervalMs,
    bufferMax: config.usage.bufferMax,
  });
  // Loaded once; a bad override file stops start-up with the file and problem named.
  const calendar = loadHolidayCalendar({ dir: config.holidayDataDir });
  const selfUrl = createSelfUrl(`http://127.0.0.1:${config.port}`);
  const inFlight = createInFlight();
  const wechatLog = logger.child({ area: 'wechat' });
  const { client: wechat } = createWechat({ db, config, logger: wechatLog, selfUrl, now });
  const citizens = createCitizenService({ db });
  const sessions = createCitizenSessionService({ db, ttlHours: config.sessionTtlHours, now });
  const autoReply = createAutoReplyService({ db, now });
  const wechatEvents = createWechatEventBus();
  const pushDedupe = createPushDedupe({ db, now });
  const menus = createMenuService({ db, wechat, config, now, logger: logger.child({ area: 'menu' }) });
  const pushHandler = createPushHandler({
    autoReply,
    citizens,
    usage: usageRecorder,
    events: wechatEvents,
    menuVersion: async () => (await menus.currentPublished())?.version ?? null,
    logger: wechatLog,
  });
  const oauth = createOAuthService({
    db,
    citizens,
    sessions,
    usage: usageRecorder,
    appId: config.wechat.appId,
    openBase: config.wechat.openBase,
    now,
    platform: {
      async exchangeCode(code) {
        const t = await wechat.oauth.exchangeCode(code);
        return { openid: t.openid, scope: t.scope, accessToken: t.access_token, unionid: t.unionid, isSnapshotUser: t.is_snapshotuser === 1 };
      },
      userInfo: (token, openid) => wechat.oauth.userInfo(token, openid),
    },
  });

  const sandbox =
    config.wechat.mode === 'sandbox'
      ? createSandbox({
          config,
          logger: logger.child({ area: 'sandbox' }),
          selfUrl: () => selfUrl.get(),
          now,
          afterReset: () => menus.ensurePublishedOnPlatform(),
          portalCookies: [SESSION_COOKIE],
        })
      : undefined;

  // Housekeeping off the request path: expired dedupe keys, sessions and used OAuth codes.
  const sweeper = setInterval(() => {
    void Promise.all([pushDedupe.sweep(), sessions.sweep()]).catch((err: unknown) => logger.warn({ err }, 'sweep failed'));
  }, 10 * 60 * 1000);
  sweeper.unref();

  return {
    config,
    logger,
    db,
    now,
    pseudonymise,
    usageRecorder,
    usage: createUsageService({ recorder: usageRecorder, now }),
    system: createSystemService({ db, usage: usageRecorder, now }),
    citizens,
    sessions,
    autoReply,
    wechat,
    wechatEvents,
    pushDedupe,
    pushHandler,
    async sendLateReply(openid, reply) {
      const message = lateReplyMessage(openid, reply);
      if (message) await wechat.customService.send(message);
    },
    menus,
    jssdk: createJssdk({ appId: config.wechat.appId, ticket: () => wechat.jsapiTicket(), allowedOrigins: [config.publicBaseUrl], now }),
    oauth,
    violations: createViolationService({ db, usage: usageRecorder, citizens, limits: config.violations, now }),
    appointments: createAppointmentService({ db, calendar, usage: usageRecorder, rules: config.appointments, uidDomain: new URL(config.publicBaseUrl).host, now }),
    sandbox,
    version: input.version ?? '0.0.0',
    selfUrl,
    inFlight,
    calendar,
    async close() {
      clearInterval(sweeper);
      await sandbox?.platform.close(); // pending receipts and pushes in flight
      await usageRecorder.close();
    },
  };
}
