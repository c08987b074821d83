/** The dashboard's cards from GET /api/admin/dashboard: what each counts and where it leads. */
import type { DashboardView } from '../../../../../server/applications/schema';

export interface DashboardCard {
  key: string;
  label: string;
  count: number;
  note: string;
  /** the filtered list the card opens (admin router location) */
  to?: { path: string; query?: Record<string, string> };
  /** something is late or waiting on staff: shown in red */
  alert: boolean;
}

export function dashboardCards(d: DashboardView): DashboardCard[] {
  const s = d.byStatus;
  const inHand = (s.accepted ?? 0) + (s.in_review ?? 0);
  const toFinish = (s.approved ?? 0) + (s.rejected ?? 0);
  return [
    { key: 'submitted', label: '待受理', count: s.submitted ?? 0, note: '新提交的申请', to: { path: '/applications', query: { status: 'submitted' } }, alert: false },
    { key: 'in_hand', label: '办理中', count: inHand, note: `已受理 ${s.accepted ?? 0} · 办理中 ${s.in_review ?? 0}`, to: { path: '/applications', query: { status: 'in_review' } }, alert: false },
    { key: 'needs_info', label: '待补正', count: s.needs_info ?? 0, note: '等待申请人补正材料', to: { path: '/applications', query: { status: 'needs_info' } }, alert: false },
    { key: 'to_finish', label: '待办结', count: toFinish, note: `已通过 ${s.approved ?? 0} · 未通过 ${s.rejected ?? 0}`, to: { path: '/applications', query: { status: 'approved' } }, alert: false },
    { key: 'overdue', label: '已超期', count: d.overdue, note: `在办 ${d.open} 件中超过承诺时限的`, to: { path: '/applications', query: { overdue: 'true' } }, alert: d.overdue > 0 },
    {
      key: 'follow_ups',
      label: '待回访差评',
      count: d.openFollowUps,
      note: d.overdueFollowUps > 0 ? `其中 ${d.overdueFollowUps} 件已超期` : '需核实并答复的差评',
      to: { path: '/follow-ups' },
      alert: d.overdueFollowUps > 0,
    },
    { key: 'appointments', label: '今日预约', count: d.appointmentsToday, note: `${d.date} 的预约`, to: { path: '/appointments' }, alert: false },
  ];
}
