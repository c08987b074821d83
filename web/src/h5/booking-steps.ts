/**
 * 预约办理 as routes, one per step, so the phone's Back button goes to the previous step instead
 * of leaving the flow. The choices so far travel in the query (service code, office id, date,
 * slot id; the appointment id once booked), so a reload or a shared link restores the step,
 * and are also held in memory (booking-draft) so going back shows them at once.
 */
import type { LocationQueryRaw } from 'vue-router';

export const BOOKING_STEPS = ['service', 'office', 'slot', 'confirm', 'done'] as const;
export type BookingStep = (typeof BOOKING_STEPS)[number];

/** Route name and path of each step (router.ts declares them with these). */
export const STEP_ROUTE: Record<BookingStep, { name: string; path: string; page: string }> = {
  service: { name: 'appointments', path: '/appointments', page: 'h5.appointments' },
  office: { name: 'appointments-office', path: '/appointments/office', page: 'h5.appointments.office' },
  slot: { name: 'appointments-slot', path: '/appointments/slot', page: 'h5.appointments.slot' },
  confirm: { name: 'appointments-confirm', path: '/appointments/confirm', page: 'h5.appointments.confirm' },
  done: { name: 'appointments-done', path: '/appointments/done', page: 'h5.appointments.done' },
};

export function stepOfRouteName(name: unknown): BookingStep | undefined {
  return BOOKING_STEPS.find((s) => STEP_ROUTE[s].name === name);
}

export function stepOfPath(path: string): BookingStep | undefined {
  const clean = path.split(/[?#]/)[0]!.replace(/\/+$/, '');
  return BOOKING_STEPS.find((s) => STEP_ROUTE[s].path === clean);
}

export interface DraftIds {
  service?: string | null;
  office?: number | null;
  date?: string | null;
  slot?: number | null;
  appointment?: number | null;
}

/** The query for a step: only what that step and the ones before it chose. */
export function stepQuery(step: BookingStep, ids: DraftIds): LocationQueryRaw {
  const q: LocationQueryRaw = {};
  if (step === 'done') {
    if (ids.appointment) q.id = String(ids.appointment);
    return q;
  }
  const at = BOOKING_STEPS.indexOf(step);
  if (at >= 1 && ids.service) q.service = ids.service;
  if (at >= 2 && ids.office) q.office = String(ids.office);
  if (at >= 3 && ids.date) q.date = ids.date;
  if (at >= 3 && ids.slot) q.slot = String(ids.slot);
  return q;
}

/** The ids a step's query carries (bad values ignored, so a mangled link just starts earlier). */
export function idsFromQuery(query: Record<string, unknown>): DraftIds {
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const str = (v: unknown) => (typeof one(v) === 'string' ? (one(v) as string) : null);
  const num = (v: unknown) => {
    const s = str(v);
    return s && /^\d{1,15}$/.test(s) ? Number(s) : null;
  };
  const service = str(query.service);
  const date = str(query.date);
  return {
    service: service && /^[\w-]{1,32}$/.test(service) ? service : null,
    office: num(query.office),
    date: date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : null,
    slot: num(query.slot),
    appointment: num(query.id),
  };
}

/** What a step needs chosen before it can be shown. */
export function furthestReachable(want: BookingStep, have: { service: boolean; office: boolean; slot: boolean; result: boolean }): BookingStep {
  if (want === 'service') return 'service';
  if (want === 'done') return have.result ? 'done' : 'service';
  if (!have.service) return 'service';
  if (want === 'office' || !have.office) return 'office';
  if (want === 'slot' || !have.slot) return 'slot';
  return 'confirm';
}
