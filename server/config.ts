import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The only reader of process.env. Every setting the portal understands is declared here, parsed
 * once at start, and handed to the rest of the code as a typed object. Problems are collected and
 * reported together so an operator fixes them in one pass.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const byteSize = z
  .string()
  .regex(/^\d+(kb|mb)$/i, 'use a size like 64kb or 1mb')
  .transform((v) => v.toLowerCase());

const DEV_SESSION_SECRET = 'sandbox-only-session-secret-change-me-0000';
const DEV_PSEUDONYM_SECRET = 'sandbox-only-pseudonym-secret-change-me-00';

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(0, 65535).default(3000),
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    TRUST_PROXY: bool.default(false),
    AGENCY_NAME: z.string().min(1).max(64).default('示范市公安局交通警察支队'),
    ACCOUNT_NAME: z.string().min(1).max(32).default('示范交警'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z
      .string()
      .regex(/^mysql:\/\//, 'must be a mysql:// URL, e.g. mysql://user:pass@host:3306/govportal')
      .optional(),
    DATABASE_POOL_SIZE: int(1, 200).default(10),
    /** auto: if nothing answers at the default URL, run a private MariaDB under .data/ */
    DATABASE_AUTOSTART: z.enum(['auto', 'never']).default('auto'),
    DATA_DIR: z.string().min(1).default('.data'),

    WECHAT_MODE: z.enum(['sandbox', 'live']).optional(),
    WECHAT_APPID: z.string().regex(/^wx[0-9a-zA-Z]{14,16}$/, 'looks like wx followed by 16 characters').optional(),
    WECHAT_APPSECRET: z.string().min(16).optional(),
    WECHAT_TOKEN: z.string().regex(/^[A-Za-z0-9]{3,32}$/, '3-32 letters or digits').optional(),
    WECHAT_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, 'exactly 43 letters or digits').optional(),
    WECHAT_AES_KEY_PREVIOUS: z.string().regex(/^[A-Za-z0-9]{43}$/, 'exactly 43 letters or digits').optional(),
    WECHAT_MESSAGE_MODE: z.enum(['plain', 'compat', 'safe']).default('safe'),
    WECHAT_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
    WECHAT_OPEN_BASE: z.url({ protocol: /^https?$/ }).optional(),
    /** seconds a push's timestamp may differ from our clock; 0 turns the check off */
    WECHAT_TIMESTAMP_TOLERANCE: int(0, 86_400).default(300),
    WECHAT_STABLE_TOKEN: bool.default(false),
    /** longest push body accepted on /wechat */
    WECHAT_PUSH_MAX_BYTES: int(1024, 1_048_576).default(65_536),
    /** when a passive reply is not ready by then, answer `success` and send it later (customer-service API) */
    WECHAT_REPLY_DEADLINE_MS: int(100, 4_800).default(4_000),
    SESSION_TTL_HOURS: int(1, 24 * 90).default(24 * 7),

    SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    USAGE_PSEUDONYM_SECRET: z.string().min(32, 'at least 32 characters').optional(),

    USAGE_ENABLED: bool.default(true),
    USAGE_BATCH_SIZE: int(1, 10_000).default(1000),
    USAGE_FLUSH_INTERVAL_MS: int(10, 60_000).default(1000),
    USAGE_BUFFER_MAX: int(10, 10_000_000).default(100_000),
    USAGE_BEACON_RATE_PER_MIN: int(1, 1_000_000).default(600),

    BODY_LIMIT_JSON: byteSize.default('1mb'),
    WEB_DIST_DIR: z.string().min(1).default('web/dist'),
    WEB_BUILD: z.enum(['auto', 'never']).default('auto'),
    SEED_DEMO_DATA: bool.optional(),
    SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),

    // --- Holiday calendar ---------------------------------------------------------------------
    /** directory of cn-holidays-YYYY.json files that replace bundled years or add new ones (server/calendar/holidays.ts) */
    HOLIDAY_DATA_DIR: z.string().min(1).optional(),
    // -------------------------------------------------------------------------------------------

    /** failed proofs of possession (per citizen, and per plate) within the window before lookups are blocked */
    LOOKUP_FAILED_PROOF_LIMIT: int(1, 1000).default(5),
    LOOKUP_FAILED_PROOF_WINDOW_MINUTES: int(1, 24 * 60).default(15),
    LOOKUP_BLOCK_MINUTES: int(1, 7 * 24 * 60).default(30),
    /** vehicles one citizen may bind */
    VEHICLE_BIND_MAX: int(1, 100).default(5),

    // --- Appointments (server/appointments) ----------------------------------------------------
    /** how many days ahead a slot may be booked (today counts as day 0); also the slot-generation window */
    APPOINTMENT_MAX_DAYS_AHEAD: int(1, 366).default(30),
    /** a booking must be made at least this many minutes before the slot starts */
    APPOINTMENT_MIN_LEAD_MINUTES: int(0, 7 * 24 * 60).default(60),
    /** cancel or reschedule no later than this many minutes before the start */
    APPOINTMENT_CHANGE_CUTOFF_MINUTES: int(0, 7 * 24 * 60).default(120),
    /** at most one active booking per service per citizen */
    APPOINTMENT_ONE_PER_SERVICE: bool.default(true),
    /** at most one active booking per office and day per citizen */
    APPOINTMENT_ONE_PER_DAY_PER_OFFICE: bool.default(true),
    /** this many no-shows within the window block new bookings for the block period */
    APPOINTMENT_NO_SHOW_LIMIT: int(1, 100).default(3),
    APPOINTMENT_NO_SHOW_WINDOW_DAYS: int(1, 3650).default(90),
    APPOINTMENT_NO_SHOW_BLOCK_DAYS: int(1, 3650).default(30),
    /** hour (Asia/Shanghai) of the day before the appointment at which the reminder is due */
    APPOINTMENT_REMIND_HOUR: int(0, 23).default(9),
    // -------------------------------------------------------------------------------------------

    // --- Applications (server/applications) ----------------------------------------------------
    /** where uploaded attachments are stored by SHA-256 (default: attachments/ under DATA_DIR) */
    ATTACHMENTS_DIR: z.string().min(1).optional(),
    /** largest attachment a citizen may upload, in bytes */
    ATTACHMENT_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(5 * 1024 * 1024),
    /** uploads no submitted application names are deleted (row and, when unshared, file) after this many hours */
    ATTACHMENT_ORPHAN_HOURS: int(1, 24 * 365).default(24),
    /** working days staff have to answer a bad (1–2) 好差评 rating */
    RATING_FOLLOW_UP_WORKING_DAYS: int(1, 60).default(5),
    // -------------------------------------------------------------------------------------------

    // --- Notifications (server/notifications) --------------------------------------------------
    /** run the outbox worker (and the reminder job) inside the server process; false when `npm run worker` processes do it */
    NOTIFY_WORKER_IN_SERVER: bool.default(true),
    /** how often an idle worker looks for due rows (an enqueue in the same process wakes it at once) */
    NOTIFY_POLL_INTERVAL_MS: int(10, 600_000).default(1000),
    /** rows one claim takes, and sends in flight at once per worker */
    NOTIFY_BATCH_SIZE: int(1, 1000).default(50),
    NOTIFY_CONCURRENCY: int(1, 200).default(8),
    /** a claim not finished by then is retaken by any worker; keep it well under WeChat's 10-minute client_msg_id window */
    NOTIFY_CLAIM_TTL_MS: int(1000, 300_000).default(60_000),
    /** first retry delay after a transient error, doubled per attempt (plus jitter) up to the maximum */
    NOTIFY_RETRY_BASE_MS: int(10, 3_600_000).default(30_000),
    NOTIFY_RETRY_MAX_MS: int(10, 24 * 3_600_000).default(3_600_000),
    /** transient errors are retried until the row is this old, then it is a temporary_failure */
    NOTIFY_MAX_AGE_HOURS: int(1, 24 * 30).default(72),
    /** how often the worker looks for appointments due a day-before reminder */
    NOTIFY_REMINDER_INTERVAL_MS: int(1000, 3_600_000).default(300_000),
    /** template ids (live mode; sandbox mode uses the simulator's) */
    WECHAT_TEMPLATE_APPLICATION_STATUS: z.string().regex(/^[\w-]{1,64}$/, 'a template id').optional(),
    WECHAT_TEMPLATE_APPOINTMENT_BOOKED: z.string().regex(/^[\w-]{1,64}$/, 'a template id').optional(),
    WECHAT_TEMPLATE_APPOINTMENT_REMINDER: z.string().regex(/^[\w-]{1,64}$/, 'a template id').optional(),
    WECHAT_TEMPLATE_APPOINTMENT_CANCELLED: z.string().regex(/^[\w-]{1,64}$/, 'a template id').optional(),
    // -------------------------------------------------------------------------------------------

    // --- Evaluator reports (server/reports) ----------------------------------------------------
    /** run the rollup job (visits, rollups, retention) inside the server process; the job takes a named lock, so several may run */
    REPORTS_ROLLUP_IN_SERVER: bool.default(true),
    /** how often the rollup job looks for usage events that have become final */
    REPORTS_ROLLUP_INTERVAL_MS: int(1000, 3_600_000).default(60_000),
    /** minutes an event may reach the table after it happened and still be counted (beyond the 30-minute visit idle time) */
    REPORTS_LATE_MARGIN_MINUTES: int(0, 24 * 60).default(10),
    /** count the not-yet-final window provisionally, replaced every run, so reports show use within one interval */
    REPORTS_PROVISIONAL: bool.default(true),
    /** a provisional window with more events than this is left out of a run (it is re-derived every run) */
    REPORTS_PROVISIONAL_MAX_EVENTS: int(0, 10_000_000).default(200_000),
    /** raw usage events older than this are deleted once rolled up */
    USAGE_RETENTION_DAYS: int(1, 3650).default(180),
    /** CSV exports suppress rows about fewer than this many citizens */
    REPORTS_MIN_CELL: int(1, 1000).default(5),
    /** menu items with a smaller share of all taps are flagged unused (0..1) */
    REPORTS_UNUSED_SHARE: z.coerce.number().min(0).max(1).default(0.01),
    // -------------------------------------------------------------------------------------------

    // --- Staff access (server/staff) -----------------------------------------------------------
    /** a staff session ends after this many minutes without a request … */
    STAFF_SESSION_IDLE_MINUTES: int(1, 24 * 60).default(30),
    /** … and this many hours after sign-in, whatever the activity */
    STAFF_SESSION_ABSOLUTE_HOURS: int(1, 24 * 30).default(12),
    /** consecutive failed sign-ins for one username before it is locked */
    STAFF_LOGIN_MAX_FAILURES: int(1, 1000).default(5),
    STAFF_LOCKOUT_MINUTES: int(1, 7 * 24 * 60).default(15),
    /** sign-in attempts allowed per username and per client address within the window */
    STAFF_LOGIN_RATE_WINDOW_MINUTES: int(1, 24 * 60).default(15),
    STAFF_LOGIN_RATE_PER_USERNAME: int(1, 100_000).default(20),
    STAFF_LOGIN_RATE_PER_IP: int(1, 100_000).default(100),
    /** scrypt cost (a power of two), block size and parallelism for new password hashes */
    STAFF_PASSWORD_SCRYPT_N: int(2, 2 ** 24).refine((n) => (n & (n - 1)) === 0, 'must be a power of two').default(2 ** 17),
    STAFF_PASSWORD_SCRYPT_R: int(1, 64).default(8),
    STAFF_PASSWORD_SCRYPT_P: int(1, 16).default(1),
    STAFF_PASSWORD_MIN_LENGTH: int(8, 128).default(10),
    // -------------------------------------------------------------------------------------------
  })
  .superRefine((env, ctx) => {
    const live = resolveMode(env) === 'live';
    if (!live) return;
    const need = ['WECHAT_APPID', 'WECHAT_APPSECRET', 'WECHAT_TOKEN', 'SESSION_SECRET', 'USAGE_PSEUDONYM_SECRET', 'PUBLIC_BASE_URL'] as const;
    for (const key of need) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when WECHAT_MODE=live' });
    }
    if (env.WECHAT_MESSAGE_MODE !== 'plain' && !env.WECHAT_AES_KEY) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_AES_KEY'], message: `required when WECHAT_MESSAGE_MODE=${env.WECHAT_MESSAGE_MODE}` });
    }
  });

type Env = z.infer<typeof envSchema>;

function resolveMode(env: Pick<Env, 'WECHAT_MODE' | 'WECHAT_APPID' | 'WECHAT_APPSECRET'>): 'sandbox' | 'live' {
  // Sandbox unless real credentials are configured: a fresh clone must never call WeChat.
  return env.WECHAT_MODE ?? (env.WECHAT_APPID && env.WECHAT_APPSECRET ? 'live' : 'sandbox');
}

/** Relative paths in settings are relative to the project, not to wherever the process started. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const DEFAULT_DATABASE_URL = 'mysql://root@127.0.0.1:3306/govportal';

export type Config = ReturnType<typeof buildConfig>;

function buildConfig(env: Env) {
  const mode = resolveMode(env);
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const sandbox = mode === 'sandbox';
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicBaseUrl,
    trustProxy: env.TRUST_PROXY,
    agencyName: env.AGENCY_NAME,
    accountName: env.ACCOUNT_NAME,
    logLevel: env.LOG_LEVEL,
    database: {
      url: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      /** only the implicit default may be replaced by a private server */
      isDefaultUrl: env.DATABASE_URL === undefined,
      poolSize: env.DATABASE_POOL_SIZE,
      autostart: env.DATABASE_AUTOSTART,
    },
    dataDir: resolve(PROJECT_ROOT, env.DATA_DIR),
    wechat: {
      mode,
      appId: env.WECHAT_APPID ?? 'wx5andb0x0000000a',
      appSecret: env.WECHAT_APPSECRET ?? 'sandbox-app-secret-0000000000000',
      token: env.WECHAT_TOKEN ?? 'sandboxtoken',
      aesKey: env.WECHAT_AES_KEY ?? (sandbox ? 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' : undefined),
      aesKeyPrevious: env.WECHAT_AES_KEY_PREVIOUS,
      messageMode: env.WECHAT_MESSAGE_MODE,
      /**
       * Server-to-server API base. Unset in sandbox mode means "this process's own /sandbox",
       * resolved once the server listens (deps.selfUrl), since PORT may be 0.
       */
      apiBase: env.WECHAT_API_BASE?.replace(/\/+$/, '') ?? (sandbox ? undefined : 'https://api.weixin.qq.com'),
      /** Where browsers are sent to authorize: must be reachable by the citizen's browser. */
      openBase: (env.WECHAT_OPEN_BASE ?? (sandbox ? `${publicBaseUrl}/sandbox` : 'https://open.weixin.qq.com')).replace(/\/+$/, ''),
      timestampToleranceS: env.WECHAT_TIMESTAMP_TOLERANCE,
      stableToken: env.WECHAT_STABLE_TOKEN,
      pushMaxBytes: env.WECHAT_PUSH_MAX_BYTES,
      replyDeadlineMs: env.WECHAT_REPLY_DEADLINE_MS,
    },
    sessionSecret: env.SESSION_SECRET ?? DEV_SESSION_SECRET,
    sessionTtlHours: env.SESSION_TTL_HOURS,
    usage: {
      enabled: env.USAGE_ENABLED,
      pseudonymSecret: env.USAGE_PSEUDONYM_SECRET ?? DEV_PSEUDONYM_SECRET,
      batchSize: env.USAGE_BATCH_SIZE,
      flushIntervalMs: env.USAGE_FLUSH_INTERVAL_MS,
      bufferMax: env.USAGE_BUFFER_MAX,
      /** events one visit may send per minute; a client address may send 10× as many requests */
      beaconEventsPerVisitPerMinute: env.USAGE_BEACON_RATE_PER_MIN,
    },
    http: { jsonLimit: env.BODY_LIMIT_JSON },
    web: { distDir: resolve(PROJECT_ROOT, env.WEB_DIST_DIR), build: env.WEB_BUILD },
    seedDemoData: env.SEED_DEMO_DATA ?? sandbox,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    // --- Holiday calendar: undefined means "bundled data only" ---
    holidayDataDir: env.HOLIDAY_DATA_DIR === undefined ? undefined : resolve(PROJECT_ROOT, env.HOLIDAY_DATA_DIR),
    violations: {
      failedProofLimit: env.LOOKUP_FAILED_PROOF_LIMIT,
      failedProofWindowMinutes: env.LOOKUP_FAILED_PROOF_WINDOW_MINUTES,
      blockMinutes: env.LOOKUP_BLOCK_MINUTES,
      bindMax: env.VEHICLE_BIND_MAX,
    },
    appointments: {
      maxDaysAhead: env.APPOINTMENT_MAX_DAYS_AHEAD,
      minLeadMinutes: env.APPOINTMENT_MIN_LEAD_MINUTES,
      changeCutoffMinutes: env.APPOINTMENT_CHANGE_CUTOFF_MINUTES,
      onePerService: env.APPOINTMENT_ONE_PER_SERVICE,
      onePerDayPerOffice: env.APPOINTMENT_ONE_PER_DAY_PER_OFFICE,
      noShowLimit: env.APPOINTMENT_NO_SHOW_LIMIT,
      noShowWindowDays: env.APPOINTMENT_NO_SHOW_WINDOW_DAYS,
      noShowBlockDays: env.APPOINTMENT_NO_SHOW_BLOCK_DAYS,
      remindHour: env.APPOINTMENT_REMIND_HOUR,
    },
    applications: {
      attachmentsDir: resolve(PROJECT_ROOT, env.ATTACHMENTS_DIR ?? join(env.DATA_DIR, 'attachments')),
      attachmentMaxBytes: env.ATTACHMENT_MAX_BYTES,
      orphanHours: env.ATTACHMENT_ORPHAN_HOURS,
      followUpWorkingDays: env.RATING_FOLLOW_UP_WORKING_DAYS,
    },
    notifications: {
      workerInServer: env.NOTIFY_WORKER_IN_SERVER,
      pollIntervalMs: env.NOTIFY_POLL_INTERVAL_MS,
      batchSize: env.NOTIFY_BATCH_SIZE,
      concurrency: env.NOTIFY_CONCURRENCY,
      claimTtlMs: env.NOTIFY_CLAIM_TTL_MS,
      retryBaseMs: env.NOTIFY_RETRY_BASE_MS,
      retryMaxMs: env.NOTIFY_RETRY_MAX_MS,
      maxAgeMs: env.NOTIFY_MAX_AGE_HOURS * 3_600_000,
      reminderIntervalMs: env.NOTIFY_REMINDER_INTERVAL_MS,
      templates: {
        applicationStatus: env.WECHAT_TEMPLATE_APPLICATION_STATUS,
        appointmentBooked: env.WECHAT_TEMPLATE_APPOINTMENT_BOOKED,
        appointmentReminder: env.WECHAT_TEMPLATE_APPOINTMENT_REMINDER,
        appointmentCancelled: env.WECHAT_TEMPLATE_APPOINTMENT_CANCELLED,
      },
    },
    reports: {
      rollupInServer: env.REPORTS_ROLLUP_IN_SERVER,
      rollupIntervalMs: env.REPORTS_ROLLUP_INTERVAL_MS,
      lateMarginMs: env.REPORTS_LATE_MARGIN_MINUTES * 60_000,
      provisional: env.REPORTS_PROVISIONAL,
      provisionalMaxEvents: env.REPORTS_PROVISIONAL_MAX_EVENTS,
      retentionDays: env.USAGE_RETENTION_DAYS,
      minCell: env.REPORTS_MIN_CELL,
      unusedShare: env.REPORTS_UNUSED_SHARE,
    },
    staff: {
      sessionIdleMinutes: env.STAFF_SESSION_IDLE_MINUTES,
      sessionAbsoluteHours: env.STAFF_SESSION_ABSOLUTE_HOURS,
      maxFailures: env.STAFF_LOGIN_MAX_FAILURES,
      lockoutMinutes: env.STAFF_LOCKOUT_MINUTES,
      rateWindowMinutes: env.STAFF_LOGIN_RATE_WINDOW_MINUTES,
      ratePerUsername: env.STAFF_LOGIN_RATE_PER_USERNAME,
      ratePerIp: env.STAFF_LOGIN_RATE_PER_IP,
      scrypt: { N: env.STAFF_PASSWORD_SCRYPT_N, r: env.STAFF_PASSWORD_SCRYPT_R, p: env.STAFF_PASSWORD_SCRYPT_P },
      passwordMinLength: env.STAFF_PASSWORD_MIN_LENGTH,
    },
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse a given environment (tests pass their own). Throws ConfigError listing every problem. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Treat empty strings as unset: `FOO= npm start` should mean "default", not "invalid".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const key = i.path.join('.') || '(environment)';
        // Never echo the offending value: it may be a secret.
        return `${key}: ${i.message}`;
      }),
    );
  }
  return buildConfig(result.data);
}

/** Read process.env; on problems print them all and exit(1). */
export function loadConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee README.md (Configuration) for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** A few process-level variables (PATH for finding binaries, the test worker id); kept here so this stays the only reader. */
export function readProcessEnv(name: 'VITEST_POOL_ID' | 'VITEST_WORKER_ID' | 'CI' | 'TEST_DATABASE_URL' | 'PATH'): string | undefined {
  return process.env[name];
}
