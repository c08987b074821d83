import type { FunnelName, ServiceGroup } from './schema';

/**
 * What the usage events mean for the reports: which tasks are lookups or transactions, the
 * funnels' steps, and labels. The names are those the H5 pages and services record
 * (web/src/h5/**, server/{violations,appointments,applications}/service.ts).
 */

export const VISIT_IDLE_MS = 30 * 60 * 1000;

/** Kinds that are screens: a menu tap or an H5 page. */
export const SCREEN_KINDS = new Set(['menu_click', 'menu_view', 'page_view']);
/** Kinds that count as the first task action of a visit. */
export const TASK_ACTION_KINDS = new Set(['task_start', 'lookup', 'no_result']);
/** System events about a citizen that the citizen did not do (template receipts): never part of a visit. */
export const PASSIVE_KINDS = new Set(['notification']);
/**
 * Row kind of `report_event_daily` that counts visits entered from a template-message link, by
 * template (name = the notification kind, `''` when the link carried none). It is written by the
 * rollup, never by a page or service, so it cannot collide with a usage event kind.
 */
export const MESSAGE_OPEN_KIND = 'rollup.message_open';
/** A notification kind as template links carry it (`tmpl=application.needs_info`); the tracker sends only these. */
export const TEMPLATE_KIND_RE = /^[a-z_.-]{1,40}$/;

export const LOOKUP_TASKS = new Set(['violations.lookup', 'licence.points']);
const TRANSACTION_PREFIXES = ['appointment.', 'application.submit', 'application.resubmit', 'application.withdraw', 'application.rate', 'payment.'];
export const isTransactionTask = (task: string) => TRANSACTION_PREFIXES.some((p) => task === p || task.startsWith(p));

const LABELS: Record<string, string> = {
  'violations.lookup': '违法查询',
  'licence.points': '驾驶证记分查询',
  'vehicles.bind': '绑定车辆',
  'appointment.book': '预约办理',
  'appointment.reschedule': '改约',
  'appointment.cancel': '取消预约',
  'application.submit': '在线申请',
  'application.resubmit': '补正材料',
  'application.withdraw': '撤回申请',
  'application.rate': '好差评',
  'office.navigate': '网点导航',
  'settings.elder_mode': '长辈模式',
  'settings.optional_notifications': '通知设置',
};

export function taskLabel(task: string): string {
  const [base, type] = task.split(':', 2) as [string, string | undefined];
  const label = LABELS[base] ?? base;
  return type ? `${label} · ${type}` : label;
}

export function serviceGroup(task: string): ServiceGroup {
  if (LOOKUP_TASKS.has(task)) return 'lookup';
  if (task.startsWith('appointment.')) return 'booking';
  if (task === 'application.rate') return 'rating';
  if (task.startsWith('application.')) return 'application';
  return 'other';
}

/** A funnel step: a page view, a task event, or "the visit is signed in" (OAuth done or a session). */
export type StepMatch = { kind: 'page'; page: string } | { kind: 'task_start' | 'task_complete'; task: string } | { kind: 'signed_in' };
export interface FunnelStepDef {
  key: string;
  label: string;
  match: StepMatch;
}

export const FUNNEL_STEPS: Record<FunnelName, FunnelStepDef[]> = {
  booking: [
    { key: 'service', label: '选择业务', match: { kind: 'page', page: 'h5.appointments' } },
    { key: 'signed_in', label: '微信授权', match: { kind: 'signed_in' } },
    { key: 'office', label: '选择网点', match: { kind: 'page', page: 'h5.appointments.office' } },
    { key: 'slot', label: '选择时段', match: { kind: 'page', page: 'h5.appointments.slot' } },
    { key: 'confirm', label: '确认信息', match: { kind: 'page', page: 'h5.appointments.confirm' } },
    { key: 'submit', label: '提交预约', match: { kind: 'task_start', task: 'appointment.book' } },
    { key: 'done', label: '预约成功', match: { kind: 'task_complete', task: 'appointment.book' } },
  ],
  application: [
    { key: 'form', label: '在线申请页', match: { kind: 'page', page: 'h5.application_new' } },
    { key: 'signed_in', label: '微信授权', match: { kind: 'signed_in' } },
    { key: 'submit', label: '提交申请', match: { kind: 'task_start', task: 'application.submit' } },
    { key: 'done', label: '提交成功', match: { kind: 'task_complete', task: 'application.submit' } },
  ],
};

/** Steps to task are capped here in the rollup (the histogram's last bar is "20 or more"). */
export const STEPS_CAP = 20;
/** Screens kept in a path. */
export const PATH_SCREENS = 5;

/**
 * Durations are kept in logarithmic buckets of ratio 1.1 (bucket b holds [1.1^b, 1.1^(b+1)) ms),
 * so a median read from them is within 5 % of the exact one.
 */
const LOG_RATIO = Math.log(1.1);
export const durationBucket = (ms: number) => (ms < 1 ? 0 : Math.floor(Math.log(ms) / LOG_RATIO));
/** The geometric middle of a bucket. */
export const bucketMidMs = (bucket: number) => Math.round(Math.pow(1.1, bucket + 0.5));
