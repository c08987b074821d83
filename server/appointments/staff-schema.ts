import { z } from 'zod';
import { isCivilDate } from '../calendar/civil-date';

/** Request contracts and views of the staff appointment API (the admin pages import the types). */

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const civilDate = z.string().refine(isCivilDate, 'use a date like 2026-10-09');
/** "08:30"; "24:00" allowed as a closing time */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use a time like 08:30');

export const staffIdParam = z.object({ id });
export const officeParam = z.object({ officeId: id });
export const officeServiceParams = z.object({ officeId: id, serviceId: id });
export const dayQuery = z.object({ date: civilDate.optional() });

export const hoursRow = z.strictObject({
  weekday: z.number().int().min(0).max(6),
  open: clock,
  close: clock,
  slotMinutes: z.number().int().min(5).max(240),
  capacity: z.number().int().min(1).max(200),
});
export const hoursBody = z.strictObject({ rows: z.array(hoursRow).max(28) });
export type HoursRowInput = z.infer<typeof hoursRow>;

export const closureBody = z.strictObject({
  from: civilDate,
  to: civilDate,
  reason: z.string().trim().min(1).max(255),
});

/** A citizen as staff see them: a masked name, never the openid. */
export interface StaffCitizenView {
  /** 张* / 欧阳** ; 未留名 when WeChat gave no name */
  name: string;
}

export interface StaffAppointmentView {
  id: number;
  confirmationCode: string;
  status: 'booked' | 'cancelled' | 'rescheduled' | 'checked_in' | 'no_show';
  date: string;
  /** ISO 8601 with +08:00 */
  start: string;
  end: string;
  service: { id: number; name: string };
  officeId: number;
  citizen: StaffCitizenView;
  checkedInAt: string | null;
  noShowAt: string | null;
  /** what the buttons may do now (the server decides again) */
  canCheckIn: boolean;
  canMarkNoShow: boolean;
}

export interface StaffDayView {
  officeId: number;
  date: string;
  today: string;
  appointments: StaffAppointmentView[];
}

export interface StaffOfficeView {
  id: number;
  name: string;
  address: string;
  services: { id: number; code: string; name: string; hasHours: boolean }[];
}

export interface HoursRowView {
  weekday: number;
  open: string;
  close: string;
  slotMinutes: number;
  capacity: number;
}

export interface OfficeHoursView {
  officeId: number;
  services: { id: number; code: string; name: string; rows: HoursRowView[] }[];
}

export interface HoursChangeView {
  officeId: number;
  serviceId: number;
  rows: HoursRowView[];
  /** unbooked future slots removed and slots created from the new hours */
  removedSlots: number;
  addedSlots: number;
  /** booked future slots kept as they are (seats are never taken away) */
  keptBookedSlots: number;
  /** bookings whose time is no longer inside the hours: still valid, staff may contact the citizen */
  bookingsOutsideHours: StaffAppointmentView[];
}

export interface ClosureView {
  id: number;
  officeId: number;
  from: string;
  to: string;
  reason: string;
  createdAt: string;
  /** active bookings inside the closure: kept, for staff to contact and rebook */
  bookings: StaffAppointmentView[];
}
