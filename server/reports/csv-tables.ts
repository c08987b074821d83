import type { CsvRow, CsvTable } from './csv';
import type {
  AudienceReport,
  FailuresReport,
  FunnelReport,
  LookupsVsTransactionsReport,
  MenuUsageReport,
  NotificationsReport,
  PathsReport,
  SatisfactionReport,
  ServicesReport,
} from './schema';

/**
 * Each report as one flat table with Chinese headers. `count` on a row is what small-cell
 * suppression looks at: citizens where the report has them, otherwise visits or events (an upper
 * bound of the citizens, so suppression by it is weaker; docs/evaluation.md says which is used).
 */

const pct = (v: number | null) => (v === null ? null : Math.round(v * 10000) / 100);
const row = (cells: CsvRow['cells'], count: number | null, figures: number[], texts?: number[]): CsvRow => ({ cells, count, figures, texts });

export function menuUsageCsv(r: MenuUsageReport): CsvTable {
  return {
    headers: ['菜单版本', '菜单项键', '名称', '层级', '点击次数', '点击市民数', '占比(%)', '未使用'],
    rows: [
      ...r.items.map((i) => row([r.version, i.key, i.name, i.level, i.taps, i.citizens, pct(i.share), i.unused ? '是' : '否'], i.citizens, [4, 5, 6])),
      ...r.otherKeys.map((o) => row(['(其他版本)', o.key, '', null, o.taps, o.citizens, pct(o.share), ''], o.citizens, [4, 5, 6])),
    ],
  };
}

export function servicesCsv(r: ServicesReport): CsvTable {
  return {
    headers: ['任务', '名称', '类别', '发起访问', '完成访问', '失败访问', '成功率(%)', '完成时长中位数(秒)'],
    rows: r.services.map((s) =>
      row([s.task, s.label, s.group, s.visits, s.completions, s.failures, pct(s.successRate), s.medianMs === null ? null : Math.round(s.medianMs / 100) / 10], s.visits, [3, 4, 5, 6, 7]),
    ),
  };
}

export function lookupsCsv(r: LookupsVsTransactionsReport): CsvTable {
  return {
    headers: ['日期', '访问', '完成办理', '尝试办理', '仅查询', '仅浏览'],
    rows: r.series.map((d) => row([d.day, d.visits, d.transaction, d.attempt, d.lookup, d.browse], d.visits, [1, 2, 3, 4, 5])),
  };
}

export function funnelCsv(r: FunnelReport): CsvTable {
  return {
    headers: ['步骤', '名称', '到达访问', '转化率(%)', '流失访问', '流失率(%)'],
    rows: [
      ...r.steps.map((s, i) => row([i + 1, s.label, s.visits, pct(s.conversion), s.dropOff, pct(s.dropOffRate)], s.visits, [2, 3, 4, 5])),
      row(['', '授权失败(无法归入访问)', r.oauthFailures, null, null, null], r.oauthFailures, [2]),
    ],
  };
}

export function pathsCsv(r: PathsReport): CsvTable {
  return {
    headers: ['类别', '项目', '访问或次数', '占比(%)'],
    rows: [
      ...r.stepsToTask.histogram.map((h) => row(['到达首个办事操作的步数', h.steps, h.visits, pct(h.visits / Math.max(1, r.stepsToTask.visitsWithTask))], h.visits, [2, 3])),
      ...r.topPaths.map((p) => row(['常见路径', p.path.map((s) => (s.startsWith('menu:') ? `menu:${r.menuNames[s.slice(5)] ?? s.slice(5)}` : s)).join(' > '), p.visits, pct(p.share)], p.visits, [2, 3], [1])),
      ...r.transitions.previous.map((t) => row([`${r.transitions.page} 的上一页`, t.page, t.moves, null], t.moves, [2])),
      ...r.transitions.next.map((t) => row([`${r.transitions.page} 的下一页`, t.page, t.moves, null], t.moves, [2])),
    ],
  };
}

export function failuresCsv(r: FailuresReport): CsvTable {
  return {
    headers: ['类别', '位置或任务', '词语或代码', '次数'],
    rows: [
      ...r.noResults.map((n) => row(['无结果', n.where, n.term, n.count], n.count, [3], [2])),
      ...r.validationErrors.map((v) => row(['校验错误', v.name, '', v.count], v.visits, [3])),
      ...r.errors.map((e) => row(['错误', e.name, '', e.count], e.visits, [3])),
      ...r.taskFailures.map((t) => row(['办事失败', t.task, t.code, t.count], t.visits, [3])),
    ],
  };
}

export function audienceCsv(r: AudienceReport): CsvTable {
  return {
    headers: ['日期', '活跃市民', '新市民', '回访市民', '访问', '关注', '取消关注'],
    rows: r.series.map((d) => row([d.day, d.citizens, d.newCitizens, d.returningCitizens, d.visits, d.follows, d.unfollows], d.citizens, [1, 2, 3, 4, 5, 6])),
  };
}

/** The smallest non-zero of a row's counts: a row about 2 opens of 100 messages is about 2 people's visits. */
const smallestPositive = (...counts: number[]) => {
  const positive = counts.filter((n) => n > 0);
  return positive.length > 0 ? Math.min(...positive) : 0;
};

const totalsCells = ({ totals: t }: NotificationsReport) => [t.total, t.queued, t.sent, t.delivered, t.failed, t.suppressed];

export function notificationsCsv(r: NotificationsReport): CsvTable {
  return {
    headers: ['消息类型', '总数', '待发送', '已发送', '已送达', '失败', '未发送(用户关闭)', '打开(从消息进入的访问)', '打开率(%)'],
    rows: [
      ...r.byTemplate.map((t) =>
        row([t.kind, t.total, t.queued, t.sent, t.delivered, t.failed, t.suppressed, t.opens, pct(t.openRate)], smallestPositive(t.total, t.opens), [1, 2, 3, 4, 5, 6, 7, 8]),
      ),
      row(['合计', ...totalsCells(r), r.opens.visits, pct(r.openRate)], smallestPositive(r.totals.total, r.opens.visits), [1, 2, 3, 4, 5, 6, 7, 8]),
    ],
  };
}

export function satisfactionCsv(r: SatisfactionReport): CsvTable {
  return {
    headers: ['事项', '名称', '评价阶段', '1分', '2分', '3分', '4分', '5分', '总数', '平均分', '好评率(%)'],
    rows: r.rows.map((s) =>
      row([s.typeCode, s.typeName, s.stage, ...s.counts, s.total, s.average, pct(s.goodShare)], s.total, [3, 4, 5, 6, 7, 8, 9, 10]),
    ),
  };
}
