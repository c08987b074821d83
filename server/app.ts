import type Router from '@koa/router';
import Koa from 'koa';
import { applicationRoutes, ATTACHMENT_UPLOAD_PATH } from './applications/routes';
import { appointmentRoutes } from './appointments/routes';
import { appointmentStaffRoutes } from './appointments/staff-routes';
import { autoReplyRoutes } from './auto-reply/routes';
import { menuRoutes } from './menu/routes';
import { citizenRoutes } from './citizens/routes';
import { officeLocationRoutes } from './appointments/office-location-routes';
import { citizenSession } from './citizens/sessions';
import type { Deps } from './deps';
import { accessLog } from './http/access-log';
import { jsonBody } from './http/body';
import { errorHandler } from './http/error-handler';
import { requestId } from './http/request-id';
import { securityHeaders } from './http/security-headers';
import type { AppState } from './http/state';
import { staticFiles, WEB_APPS } from './http/static';
import { notificationRoutes } from './notifications/routes';
import { oauthRoutes } from './oauth/routes';
import { reportRoutes } from './reports/routes';
import { systemRoutes } from './system/routes';
import { usageRoutes } from './usage/routes';
import { violationRoutes } from './violations/routes';
import { wechatRoutes } from './wechat/routes';
import { staffRoutes } from './staff/routes';
import { staffSession } from './staff/session-middleware';

/** Paths under the SPA prefixes that belong to JSON APIs (never answered with a page). */
const API_PREFIXES = ['/sandbox/api/', '/sandbox/cgi-bin/', '/sandbox/sns/', '/sandbox/connect/'];

/**
 * Routes that read their own request body: raw XML pushes, beacon text, the simulated
 * platform, which must answer malformed JSON with WeChat's 47001, not our INVALID_JSON, and
 * attachment uploads (raw bytes).
 */
const OWN_BODY_PARSERS = ['/wechat', '/api/usage/events', '/sandbox/cgi-bin', '/sandbox/sns', ATTACHMENT_UPLOAD_PATH];

/** The Koa app without a listener: main.ts listens, tests drive `app.callback()`. */
export function createApp(deps: Deps, opts: { extraRouters?: Router<AppState>[] } = {}): Koa<AppState> {
  const { config } = deps;
  // Signed cookies (citizen session, OAuth state) are keyed with the session secret.
  const app = new Koa<AppState>({ proxy: config.trustProxy, keys: [config.sessionSecret] });
  // Koa's default handler would print errors to stderr; ours already logged them.
  app.silent = true;
  app.on('error', (err) => deps.logger.error({ err }, 'unhandled koa error'));

  const routers = [
    // First, so a test can stand in for a built-in route.
    ...(opts.extraRouters ?? []),
    systemRoutes({
      system: deps.system,
      meta: {
        agencyName: deps.config.agencyName,
        accountName: deps.config.accountName,
        wechatMode: deps.config.wechat.mode,
        version: deps.version,
      },
    }),
    usageRoutes({ usage: deps.usage, eventsPerVisitPerMinute: config.usage.beaconEventsPerVisitPerMinute, now: deps.now }),
    wechatRoutes({
      codec: {
        token: config.wechat.token,
        appId: config.wechat.appId,
        aesKey: config.wechat.aesKey,
        aesKeyPrevious: config.wechat.aesKeyPrevious,
        mode: config.wechat.messageMode,
        timestampToleranceS: config.wechat.timestampToleranceS,
      },
      dedupe: deps.pushDedupe,
      handler: deps.pushHandler,
      sendLater: (openid, reply) => deps.sendLateReply(openid, reply),
      track: (work) => deps.inFlight.track(work),
      maxBytes: config.wechat.pushMaxBytes,
      replyDeadlineMs: config.wechat.replyDeadlineMs,
      logger: deps.logger,
      now: deps.now,
    }),
    oauthRoutes({ oauth: deps.oauth, publicBaseUrl: config.publicBaseUrl, sessionTtlHours: config.sessionTtlHours }),
    citizenRoutes({ citizens: deps.citizens, jssdk: (url) => deps.jssdk.jssdkConfig(url), publicBaseUrl: config.publicBaseUrl }),
    violationRoutes({ violations: deps.violations }),
    appointmentRoutes({ appointments: deps.appointments }),
    applicationRoutes({ applications: deps.applications }),
    staffRoutes({ auth: deps.staffAuth, staff: deps.staff, auditReader: deps.auditReader, publicBaseUrl: config.publicBaseUrl, sessionAbsoluteHours: config.staff.sessionAbsoluteHours }),
    appointmentStaffRoutes({ staffAppointments: deps.staffAppointments }),
    menuRoutes({ menus: deps.menus }),
    autoReplyRoutes({ autoReply: deps.autoReply }),
    officeLocationRoutes({ officeLocations: deps.officeLocations }),
    notificationRoutes({ notificationAdmin: deps.notificationParts.admin }),
    reportRoutes({ reports: deps.reports, reportExports: deps.reportExports }),
    // The simulated platform exists only in sandbox mode; live mode mounts none of it.
    ...(config.wechat.mode === 'sandbox' ? [deps.sandbox!.router] : []),
  ];

  app.use(deps.inFlight.middleware());
  app.use(requestId(deps.logger, deps.config.trustProxy));
  app.use(accessLog());
  app.use(errorHandler());
  app.use(securityHeaders());
  app.use(
    staticFiles({
      distDir: deps.config.web.distDir,
      apiPrefixes: API_PREFIXES,
      // The phone emulator exists only where the simulated platform does.
      apps: deps.config.wechat.mode === 'sandbox' ? WEB_APPS : WEB_APPS.filter((a) => a !== 'sandbox'),
    }),
  );
  app.use(jsonBody(config.http.jsonLimit, OWN_BODY_PARSERS));
  app.use(citizenSession(deps.sessions));
  // Staff: cross-site writes refused, ctx.state.staff set, CSRF token checked (server/staff).
  app.use(staffSession({ sessions: deps.staffSessions, publicBaseUrl: config.publicBaseUrl }));
  for (const r of routers) {
    app.use(r.routes());
    app.use(r.allowedMethods({ throw: true }));
  }
  return app;
}
