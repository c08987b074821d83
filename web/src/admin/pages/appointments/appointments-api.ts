/** API and labels of the 预约管理 page (server/appointments/staff-routes.ts). */
import { adminDelete, adminGet, adminPost, adminPut } from '../../api';
import type {
  ClosureView,
  HoursChangeView,
  HoursRowView,
  OfficeHoursView,
  StaffAppointmentView,
  StaffDayView,
  StaffOfficeView,
} from '../../../../../server/appointments/staff-schema';

export type { ClosureView, HoursChangeView, HoursRowView, OfficeHoursView, StaffAppointmentView, StaffDayView, StaffOfficeView };

export const STATUS_LABELS: Record<StaffAppointmentView['status'], string> = {
  booked: '已预约',
  rescheduled: '已改约',
  checked_in: '已签到',
  no_show: '未到',
  cancelled: '已取消',
};
export const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];

/** `2026-09-15T09:30:00+08:00` → `09:30` (times are already Beijing time). */
export const hhmm = (iso: string) => iso.slice(11, 16);

/** One line for the change report after saving hours. */
export function hoursChangeSummary(c: HoursChangeView): string {
  const parts = [`新增时段 ${c.addedSlots} 个`, `移除空闲时段 ${c.removedSlots} 个`, `保留已有预约的时段 ${c.keptBookedSlots} 个`];
  if (c.bookingsOutsideHours.length) parts.push(`${c.bookingsOutsideHours.length} 个预约已不在新的营业时间内（预约仍有效，请联系群众）`);
  return parts.join('，');
}

const BASE = '/api/admin/appointments';
export const appointmentsApi = {
  offices: () => adminGet<StaffOfficeView[]>(`${BASE}/offices`),
  day: (officeId: number, date?: string) => adminGet<StaffDayView>(`${BASE}/offices/${officeId}/day${date ? `?date=${date}` : ''}`),
  checkIn: (id: number) => adminPost<StaffAppointmentView>(`${BASE}/${id}/check-in`),
  noShow: (id: number) => adminPost<StaffAppointmentView>(`${BASE}/${id}/no-show`),
  hours: (officeId: number) => adminGet<OfficeHoursView>(`${BASE}/offices/${officeId}/hours`),
  setHours: (officeId: number, serviceId: number, rows: HoursRowView[]) => adminPut<HoursChangeView>(`${BASE}/offices/${officeId}/hours/${serviceId}`, { rows }),
  closures: (officeId: number) => adminGet<ClosureView[]>(`${BASE}/offices/${officeId}/closures`),
  addClosure: (officeId: number, body: { from: string; to: string; reason: string }) => adminPost<ClosureView>(`${BASE}/offices/${officeId}/closures`, body),
  removeClosure: (id: number) => adminDelete(`${BASE}/closures/${id}`),
};
