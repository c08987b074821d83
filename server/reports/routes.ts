import Router from '@koa/router';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { requireStaff } from '../staff/guard';
import type { ReportExports } from './export';
import { compareQuery, csvParams, funnelParams, pathsQuery, reportQuery } from './schema';
import type { ReportService } from './service';

/** Evaluator reports (docs/api-reports.md): read-only, for evaluators, supervisors and admins. */
export function reportRoutes(deps: { reports: ReportService; reportExports: ReportExports }) {
  const router = new Router<AppState>({ prefix: '/api/admin/reports' });
  const r = deps.reports;
  const allowed = requireStaff('evaluator', 'supervisor', 'admin');

  router.get('/menu-usage', allowed, async (ctx) => {
    ctx.body = { data: await r.menuUsage(parseInput(reportQuery, ctx.query)) };
  });
  router.get('/services', allowed, async (ctx) => {
    ctx.body = { data: await r.services(parseInput(reportQuery, ctx.query)) };
  });
  router.get('/lookups-vs-transactions', allowed, async (ctx) => {
    ctx.body = { data: await r.lookupsVsTransactions(parseInput(reportQuery, ctx.query)) };
  });
  router.get('/funnels/:task', allowed, async (ctx) => {
    const { task } = parseInput(funnelParams, ctx.params);
    ctx.body = { data: await r.funnel(task, parseInput(reportQuery, ctx.query)) };
  });
  router.get('/paths', allowed, async (ctx) => {
    ctx.body = { data: await r.paths(parseInput(pathsQuery, ctx.query)) };
  });
  router.get('/failures', allowed, async (ctx) => {
    ctx.body = { data: await r.failures(parseInput(reportQuery, ctx.query)) };
  });
  router.get('/audience', allowed, async (ctx) => {
    ctx.body = { data: await r.audience(parseInput(reportQuery, ctx.query)) };
  });
  router.get('/notifications', allowed, async (ctx) => {
    ctx.body = { data: await r.notifications(parseInput(reportQuery, ctx.query)) };
  });
  router.get('/satisfaction', allowed, async (ctx) => {
    ctx.body = { data: await r.satisfaction(parseInput(reportQuery, ctx.query)) };
  });
  router.get('/compare', allowed, async (ctx) => {
    ctx.body = { data: await r.compare(parseInput(compareQuery, ctx.query)) };
  });
  router.get('/:name.csv', allowed, async (ctx) => {
    const { name } = parseInput(csvParams, ctx.params);
    const { filename, body } = await deps.reportExports.csv(name, parseInput(reportQuery, ctx.query));
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
    ctx.body = body;
  });

  return router;
}
