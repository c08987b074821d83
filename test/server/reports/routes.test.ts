import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../db/connect';
import { STAFF_ROLES } from '../../../server/staff/roles';
import { createTestApp, type TestApp } from '../../support/app';
import { createStaff, signedInStaff } from '../../support/staff-agent';
import { checkMatrix, staffAgents, type MatrixRoute } from '../menu/role-matrix';
import { citizen, DAY0, DAY1, ev, insertEvents, reportDatabase, sh } from './report-fixtures';
import { SCENARIO_END, scenarioEvents } from './scenario';

const READERS = ['evaluator', 'supervisor', 'admin'] as const;
const q = `from=${DAY0}&to=${DAY1}`;
const GETS = [
  `/api/admin/reports/menu-usage?${q}`,
  `/api/admin/reports/services?${q}`,
  `/api/admin/reports/lookups-vs-transactions?${q}`,
  `/api/admin/reports/funnels/booking?${q}`,
  `/api/admin/reports/funnels/application?${q}`,
  `/api/admin/reports/paths?${q}`,
  `/api/admin/reports/failures?${q}`,
  `/api/admin/reports/audience?${q}`,
  `/api/admin/reports/notifications?${q}`,
  `/api/admin/reports/satisfaction?${q}`,
  `/api/admin/reports/compare?${q}&a=v1&b=${DAY0}..${DAY0}`,
  `/api/admin/reports/menu-usage.csv?${q}`,
  `/api/admin/reports/failures.csv?${q}`,
];

describe('report routes: who may read them', () => {
  let t: TestApp;
  beforeAll(() => {
    t = createTestApp();
  });
  afterAll(() => t.close());

  it('evaluators, supervisors and admins read every report and export; anonymous 401, clerks 403', async () => {
    expect(STAFF_ROLES).toContain('clerk');
    const routes: MatrixRoute[] = GETS.map((path) => ({ method: 'get', path: () => path, roles: READERS, ok: 200 }));
    await checkMatrix(t, await staffAgents(t), routes);
  });

  it('bad filters are a clear 400, never a crash', async () => {
    const { agent } = await signedInStaff(t, 'evaluator');
    const cases: Array<[string, string]> = [
      ['/api/admin/reports/services?from=2026-02-30', 'VALIDATION_FAILED'],
      ['/api/admin/reports/services?from=yesterday', 'VALIDATION_FAILED'],
      ['/api/admin/reports/services?from=2026-03-05&to=2026-03-01', 'REPORT_RANGE_INVALID'],
      ['/api/admin/reports/services?from=2024-01-01&to=2026-01-01', 'REPORT_RANGE_INVALID'],
      ['/api/admin/reports/services?source=tv', 'VALIDATION_FAILED'],
      ['/api/admin/reports/services?menuVersion=v1%27%20OR%201=1', 'VALIDATION_FAILED'],
      ['/api/admin/reports/funnels/payment', 'VALIDATION_FAILED'],
      ['/api/admin/reports/compare?a=v1', 'VALIDATION_FAILED'],
      ['/api/admin/reports/secrets.csv', 'VALIDATION_FAILED'],
    ];
    for (const [path, code] of cases) {
      const res = await agent.get(path);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 400, code });
    }
  });
});

describe('report exports (CSV)', () => {
  let h: DatabaseHandle;
  let t: TestApp;

  beforeAll(async () => {
    h = await reportDatabase('rcsv');
    const events = scenarioEvents();
    // Six citizens search a formula-looking term (not a small cell); two search a personal one.
    for (let i = 0; i < 6; i++) {
      events.push(ev({ occurredAt: sh(12, i), citizenKey: citizen(`F${i}`), visitId: `vf${i}xxxxx`, kind: 'no_result', name: 'h5.hall', props: { term: '=HYPERLINK("http://x","y")' } }));
    }
    for (let i = 0; i < 2; i++) {
      events.push(ev({ occurredAt: sh(13, i), citizenKey: citizen(`P${i}`), visitId: `vp${i}xxxxx`, kind: 'no_result', name: 'h5.hall', props: { term: '张三,身份证' } }));
    }
    await insertEvents(h, events);
    t = createTestApp({ db: h.db, env: { REPORTS_MIN_CELL: '5' }, now: () => SCENARIO_END });
    await t.deps.reportRollup.runOnce({ until: SCENARIO_END });
  });
  afterAll(async () => {
    await t?.close();
    await h?.close();
  });

  const agent = async () => (await signedInStaff(t, 'evaluator', { staff: await createStaff(h.db, { role: 'evaluator' }) })).agent;

  it('is UTF-8 with a BOM, RFC 4180 quoted, formula-safe, and suppresses cells of fewer than k citizens', async () => {
    const res = await (await agent()).get(`/api/admin/reports/failures.csv?${q}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="report-failures-${DAY0}-${DAY1}.csv"`);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = body.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('类别,位置或任务,词语或代码,次数');
    // Six searches: shown, quoted (comma and quotes inside), and the leading = neutralised.
    expect(lines).toContain(`无结果,h5.hall,"'=HYPERLINK(""http://x"",""y"")",6`);
    // Two citizens: the term and the figure are suppressed.
    expect(lines).toContain('无结果,h5.hall,（已隐藏）,<5');
    expect(text).not.toContain('张三');
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('menu usage export suppresses items tapped by fewer than k citizens; JSON keeps them for staff', async () => {
    const a = await agent();
    const csv = await a.get(`/api/admin/reports/menu-usage.csv?${q}`);
    expect(csv.status).toBe(200);
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('菜单版本,菜单项键,名称,层级,点击次数,点击市民数,占比(%),未使用');
    expect(lines.find((l) => l.includes(',violations,'))).toBe('(其他版本),violations,,,<5,<5,<5,');
    const json = await a.get(`/api/admin/reports/menu-usage?${q}`);
    expect(json.body.data.otherKeys).toContainEqual({ key: 'violations', taps: 2, citizens: 1, share: 0.6667 });
    // No report carries a pseudonym or a browser visit id.
    for (const path of GETS.filter((p) => !p.includes('.csv'))) {
      const res = await a.get(path);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(/AAAAAAAAAA|BBBBBBBBBB|visitA1xx|visitVanon|F0F0F0F0/);
    }
  });
});
