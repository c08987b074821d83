import type { Database } from '../db/schema';
import { createApplicationService, type ApplicationService } from './applications/service';
import { createAttachmentStore } from './applications/attachments';
import { createOrphanAttachmentJob, createOrphanAttachmentSweep, type OrphanAttachmentJob } from './applications/orphan-attachments';
import { countAppointmentsOn } from './appointments/day-count';
import { createAppointmentService, type AppointmentService } from './appointments/service';
import { createAppointmentStaffService, type AppointmentStaffService } from './appointments/staff-service';
import { createAutoReplyService, type AutoReplyService } from './auto-reply/service';
import { loadHolidayCalendar, type HolidayCalendar } from './calendar';
import { createCitizenService, type CitizenService } from './citizens/service';
import { createOfficeLocationService, type OfficeLocationService } from './appointments/office-locations';
import { createCitizenSessionService, SESSION_COOKIE, type CitizenSessionService } from './citizens/sessions';
import type { Config } from './config';
import type { Logger } from './logger';
import { createMenuService, type MenuService } from './menu/service';
import { createOAuthService, type OAuthService } from './oauth/service';
import { createWechat } from './wechat/api-client';
import type { WechatClient } from './wechat/api-client';
import type { TokenStore } from './wechat/token-store';
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
import { createAuditLog } from './staff/audit';
import type { AuditLog } from './staff/audit-types';
import { createAuditReader, type AuditReader } from './staff/audit-query';
import { createStaffAuthService, type StaffAuthService } from './staff/auth-service';
import { createLoginThrottle, type LoginThrottle } from './staff/login-throttle';
import { createStaffService, type StaffService } from './staff/service';
import { createStaffSessionStore, type StaffSessionStore } from './staff/sessions';
import { createNotificationOutbox, type OutboxWithWake } from './notifications/outbox';
import { createNotificationParts, type NotificationParts } from './notifications/setup';
import { createReportExports, type ReportExports } from './reports/export';
import { createReportJobs, type ReportJobs } from './reports/jobs';
import { menuPublications, menuTreeSource } from './reports/menu-source';
import { createReportRollup, type ReportRollup } from './reports/rollup';
import { createReportService, type ReportService } from './reports/service';

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
  /** the stored access token and jsapi ticket (sandbox start-up forgets them: a new simulator issued none) */
  wechatTokens: TokenStore;
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
  /** application types, citizens' applications and attachments, the staff queue, 好差评 follow-ups */
  applications: ApplicationService;
  /** deletes uploads no application named after ATTACHMENT_ORPHAN_HOURS (started by the server process) */
  orphanAttachments: OrphanAttachmentJob;
  /** appointment operations for staff (day list, check-in, no-show, hours, closures) */
  staffAppointments: AppointmentStaffService;
  /** office coordinates for the H5 导航 button */
  officeLocations: OfficeLocationService;
  /** the audit log (staff actions, staff reads of personal data); record with your transaction */
  audit: AuditLog;
  /** staff sign-in state (server/staff): sessions, login throttle, sign-in, accounts, audit reads */
  staffSessions: StaffSessionStore;
  loginThrottle: LoginThrottle;
  staffAuth: StaffAuthService;
  staff: StaffService;
  auditReader: AuditReader;
  /** the notification outbox: `notifications.enqueue(tx, event)` inside the transaction that made the change */
  notifications: OutboxWithWake;
  /** the outbox worker (started by main.ts or server/worker.ts), receipts, the staff log service */
  notificationParts: NotificationParts;
  /** evaluator reports: the rollup job (visits, rollups, retention), its timer, the report queries, CSV exports */
  reportRollup: ReportRollup;
  reportJobs: ReportJobs;
  reports: ReportService;
  reportExports: ReportExports;
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

/**
 * `withSandbox: false` (the `npm run worker` process): no simulator here even in sandbox mode; the
 * API client then calls the server's /sandbox at PORT, where the phone and receipts live.
 */
export function createDeps(input: { config: Config; logger: Logger; db: Database; now?: () => number; version?: string; withSandbox?: boolean }): Deps {
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
  const { client: wechat, tokens: wechatTokens } = createWechat({ db, config, logger: wechatLog, selfUrl, now });
  const audit = createAuditLog({ now });
  const staffSessions = createStaffSessionStore({ db, secret: config.sessionSecret, idleMinutes: config.staff.sessionIdleMinutes, absoluteHours: config.staff.sessionAbsoluteHours, now });
  const loginThrottle = createLoginThrottle({
    db,
    now,
    rules: {
      windowMinutes: config.staff.rateWindowMinutes,
      perUsername: config.staff.ratePerUsername,
      perIp: config.staff.ratePerIp,
      maxFailures: config.staff.maxFailures,
      lockoutMinutes: config.staff.lockoutMinutes,
    },
  });
  const staffPasswords = { scrypt: config.staff.scrypt, passwordMinLength: config.staff.passwordMinLength };
  const notifications = createNotificationOutbox({ now });
  const citizens = createCitizenService({ db, now, storageKeySecret: config.sessionSecret });
  const sessions = createCitizenSessionService({ db, ttlHours: config.sessionTtlHours, now });
  const autoReply = createAutoReplyService({ db, now, audit });
  const wechatEvents = createWechatEventBus();
  const pushDedupe = createPushDedupe({ db, now });
  const menus = createMenuService({ db, wechat, config, now, logger, audit });
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
    config.wechat.mode === 'sandbox' && input.withSandbox !== false
      ? createSandbox({
          config,
          logger: logger.child({ area: 'sandbox' }),
          selfUrl: () => selfUrl.get(),
          now,
          // A reset simulator has forgotten the tokens and tickets it issued.
          afterReset: async () => {
            await wechatTokens.forgetAll();
            return menus.ensurePublishedOnPlatform();
          },
          portalCookies: [SESSION_COOKIE],
        })
      : undefined;

  const notificationParts = createNotificationParts({ config, db, now, logger, wechat, wechatEvents, citizens, audit, outbox: notifications });
  const appointments = createAppointmentService({ db, calendar, usage: usageRecorder, rules: config.appointments, uidDomain: new URL(config.publicBaseUrl).host, notifications, now });
  const staff = createStaffService({ db, sessions: staffSessions, audit, ...staffPasswords, now });
  const applications = createApplicationService({
    db,
    calendar,
    audit,
    notifications,
    attachments: createAttachmentStore({ db, dir: config.applications.attachmentsDir, maxBytes: config.applications.attachmentMaxBytes, now }),
    staffLookup: (id) => staff.get(id).then((v) => ({ role: v.role, disabled: v.disabled }), () => undefined),
    appointmentsOn: (day) => countAppointmentsOn(db, day),
    usage: usageRecorder,
    followUpWorkingDays: config.applications.followUpWorkingDays,
    now,
  });

  const orphanAttachments = createOrphanAttachmentJob({
    sweep: createOrphanAttachmentSweep({ db, dir: config.applications.attachmentsDir, orphanHours: config.applications.orphanHours, now, logger: logger.child({ area: 'applications' }) }),
    logger: logger.child({ area: 'applications' }),
    intervalMs: 60 * 60 * 1000, // hourly: the age limit is counted in hours
  });

  const reportRollup = createReportRollup({ db, now, logger: logger.child({ area: 'reports' }), lateMarginMs: config.reports.lateMarginMs,
    provisional: config.reports.provisional,
    provisionalMaxEvents: config.reports.provisionalMaxEvents,
    menuHistory: menuPublications(menus) });
  const reportJobs = createReportJobs({ rollup: reportRollup, logger: logger.child({ area: 'reports' }), intervalMs: config.reports.rollupIntervalMs, retentionDays: config.reports.retentionDays });
  const reports = createReportService({ db, now, rollup: reportRollup, menus: menuTreeSource(menus), unusedShare: config.reports.unusedShare });

  // Housekeeping off the request path: expired dedupe keys, sessions and used OAuth codes.
  const sweeper = setInterval(() => {
    void Promise.all([pushDedupe.sweep(), sessions.sweep(), staffSessions.sweep(), loginThrottle.sweep()]).catch((err: unknown) => logger.warn({ err }, 'sweep failed'));
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
    wechatTokens,
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
    appointments,
    applications,
    orphanAttachments,
    staffAppointments: createAppointmentStaffService({
      db,
      calendar,
      appointments,
      audit,
      maxDaysAhead: config.appointments.maxDaysAhead,
      now,
      citizenNames: (ids) => citizens.displayNames(ids),
    }),
    officeLocations: createOfficeLocationService({ db }),
    audit,
    staffSessions,
    loginThrottle,
    staffAuth: createStaffAuthService({ db, sessions: staffSessions, throttle: loginThrottle, audit, idleMinutes: config.staff.sessionIdleMinutes, ...staffPasswords, now }),
    staff,
    auditReader: createAuditReader({ db }),
    notifications,
    notificationParts,
    reportRollup,
    reportJobs,
    reports,
    reportExports: createReportExports({ reports, minCell: config.reports.minCell }),
    sandbox,
    version: input.version ?? '0.0.0',
    selfUrl,
    inFlight,
    calendar,
    async close() {
      clearInterval(sweeper);
      await notificationParts.worker.stop(); // sends in flight finish; unstarted claims go back to the queue
      await reportJobs.stop(); // a rollup in progress commits or rolls back as a whole
      await orphanAttachments.stop(); // stops after the orphan at hand
      await sandbox?.platform.close(); // pending receipts and pushes in flight
      await usageRecorder.close();
    },
  };
}
