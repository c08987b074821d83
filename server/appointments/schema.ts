import { z } from 'zod';
import { isCivilDate } from '../calendar/civil-date';

/** Request contracts and response shapes of the appointments area (H5 pages import the types). */

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const civilDate = z.string().refine(isCivilDate, 'use a date like 2026-10-09');
/** a service by code (e.g. licence_renewal) or by numeric id */
const serviceRef = z.string().trim().min(1).max(32);

export const idParam = z.object({ id });
export const officesQuery = z.object({ service: serviceRef.optional() });
export const slotsQuery = z.object({ office: id, service: serviceRef, date: civilDate });
export const slotDaysQuery = z.object({ office: id, service: serviceRef, from: civilDate.optional(), to: civilDate.optional() });
export const bookBody = z.object({ slotId: id });
export type BookBody = z.infer<typeof bookBody>;

export interface ServiceView {
  id: number;
  code: string;
  name: string;
  durationMinutes: number;
  materials: string[];
}

export interface OfficeView {
  id: number;
  name: string;
  address: string;
  phone: string;
  counters: number;
}

export interface SlotView {
  id: number;
  /** ISO 8601 in Asia/Shanghai (+08:00) */
  start: string;
  end: string;
  capacity: number;
  remaining: number;
  /** inside the booking window (not too close, not too far) */
  bookable: boolean;
}

export interface SlotDayView {
  date: string;
  slots: number;
  remaining: number;
}

export interface AppointmentView {
  id: number;
  confirmationCode: string;
  status: 'booked' | 'cancelled' | 'rescheduled' | 'checked_in' | 'no_show';
  active: boolean;
  /** cancel or reschedule is still allowed (before the cut-off) */
  changeable: boolean;
  date: string;
  start: string;
  end: string;
  slotId: number;
  service: ServiceView;
  office: OfficeView;
  createdAt: string;
  cancelledAt: string | null;
}
