import type { NotificationStatus } from '../../../../../db/schema/notifications';
import type { NotificationView } from '../../../../../server/notifications/schema';
import type { NotificationKind } from '../../../../../server/notifications/types';
import { adminGetPage, adminPost, withQuery } from '../../api';

export type { NotificationView };

export const STATUS_LABELS: Record<NotificationStatus, string> = {
  queued: '排队中',
  sending: '发送中',
  sent: '已发送',
  delivered: '已送达',
  permanent_failure: '发送失败（永久）',
  temporary_failure: '发送失败（暂时）',
  suppressed: '未发送（用户关闭）',
};

export const KIND_LABELS: Record<NotificationKind, string> = {
  'application.accepted': '申请已受理',
  'application.needs_info': '申请需补正',
  'application.approved': '申请已通过',
  'application.rejected': '申请未通过',
  'application.completed': '申请已办结',
  'appointment.booked': '预约成功',
  'appointment.reminder': '预约提醒',
  'appointment.cancelled': '预约取消',
};

export interface LogFilter {
  status: NotificationStatus | '';
  kind: NotificationKind | '';
  page: number;
}

export const notificationApi = {
  list: (f: LogFilter) =>
    adminGetPage<NotificationView, { page: number; pageSize: number; total: number }>(
      withQuery('/api/admin/notifications', { status: f.status || undefined, kind: f.kind || undefined, page: String(f.page) }),
    ),
  retry: (id: number) => adminPost<NotificationView>(`/api/admin/notifications/${id}/retry`),
};

const fmt = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
export const shortTime = (iso: string | null) => (iso ? fmt.format(new Date(iso)) : '—');
