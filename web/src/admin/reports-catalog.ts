/**
 * The reports section: which reports exist, their titles and what each answers, in the order the
 * section's tabs and the printed summary show them. Pure; the routes (pages/reports/routes.ts)
 * and the API client take the names from here.
 */
import type { StaffRole } from './session';

/** Who may read reports; the server's requireStaff on /api/admin/reports says the same. */
export const REPORT_ROLES: readonly StaffRole[] = ['evaluator', 'supervisor', 'admin'];

export const REPORT_NAMES = [
  'menu-usage',
  'services',
  'lookups-vs-transactions',
  'funnels',
  'paths',
  'failures',
  'audience',
  'notifications',
  'satisfaction',
  'compare',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export interface ReportInfo {
  name: ReportName;
  title: string;
  /** the question the report answers, shown under its title */
  question: string;
}

export const REPORTS: Record<ReportName, ReportInfo> = {
  'menu-usage': { name: 'menu-usage', title: '菜单使用', question: '公众号菜单的每一项被点了多少次、多少市民在用，哪些菜单项几乎没人用？' },
  services: { name: 'services', title: '服务使用', question: '各项服务的访问、发起、完成和成功率如何，办完一件事要多久？' },
  'lookups-vs-transactions': { name: 'lookups-vs-transactions', title: '查询与办事', question: '市民来访是只查一查，还是真正办了事（预约、申请、评价、缴费）？' },
  funnels: { name: 'funnels', title: '办事漏斗', question: '预约和申请从进入到完成的每一步留下了多少人，在哪一步流失（含微信授权步骤）？' },
  paths: { name: 'paths', title: '路径与寻路', question: '从菜单或消息进入后要经过几步才开始办事？最常见的路径是什么？' },
  failures: { name: 'failures', title: '失败与无结果', question: '哪些查询和搜索没有结果（搜了什么），哪里出现了校验错误和故障？' },
  audience: { name: 'audience', title: '用户构成', question: '新老市民各有多少，关注和取消关注从哪里来，什么时间最忙？' },
  notifications: { name: 'notifications', title: '消息通知', question: '各类模板消息发送、送达、失败多少，市民是否点开？' },
  satisfaction: { name: 'satisfaction', title: '好差评', question: '各项服务各环节的评价分布如何，差评多久得到回访？' },
  compare: { name: 'compare', title: '菜单版本对比', question: '菜单改版前后（两个版本或两个时段）各项指标变好还是变差？' },
};

export const REPORT_LIST: ReportInfo[] = REPORT_NAMES.map((n) => REPORTS[n]);
