import type Router from '@koa/router';
import Koa from 'koa';
import type { Deps } from './deps';
import { accessLog } from './http/access-log';
import { jsonBody } from './http/body';
import { errorHandler } from './http/error-handler';
import { requestId } from './http/request-id';
import { securityHeaders } from './http/security-headers';
import type { AppState } from './http/state';
import { staticFiles, WEB_APPS } from './http/static';
import { systemRoutes } from './system/routes';
import { usageRoutes } from './usage/routes';

/** Paths under the SPA prefixes that belong to JSON APIs (never answered with a page). */
const API_PREFIXES = ['/sandbox/api/', '/sandbox/cgi-bin/', '/sandbox/sns/', '/sandbox/connect/'];

/** Routes that read their own request body (raw XML, beacon text). */
const OWN_BODY_PARSERS = ['/wechat', '/api/usage/events'];

/** The Koa app without a listener: main.ts listens, tests drive `app.callback()`. */
export function createApp(deps: Deps, opts: { extraRouters?: Router<AppState>[] } = {}): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: deps.config.trustProxy });
  // Koa's default handler would print errors to stderr; ours already logged them.
  app.silent = true;
  app.on('error', (err) => deps.logger.error({ err }, 'unhandled koa error'));

  const routers = [
    systemRoutes({
      system: deps.system,
      meta: {
        agencyName: deps.config.agencyName,
        accountName: deps.config.accountName,
        wechatMode: deps.config.wechat.mode,
        version: deps.version,
      },
    }),
    usageRoutes({ usage: deps.usage, eventsPerVisitPerMinute: deps.config.usage.beaconEventsPerVisitPerMinute, now: deps.now }),
    ...(opts.extraRouters ?? []),
  ];

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
  app.use(jsonBody(deps.config.http.jsonLimit, OWN_BODY_PARSERS));
  for (const r of routers) {
    app.use(r.routes());
    app.use(r.allowedMethods({ throw: true }));
  }
  return app;
}
