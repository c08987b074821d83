/**
 * Pure logic of 预约办理 / 我的预约: the calendar's day states, the booking rules' error
 * messages, Asia/Shanghai time formatting and the order and tags of the citizen's list.
 * No imports from the violations area, so the booking chunk stays small.
 */
import { ApiError } from '../common/api';
import type { AppointmentView, SlotDayView, SlotView } from '../../../server/appointments/schema';

/** China Standard Time has had no daylight saving since 1991: a fixed +08:00. */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');
const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'] as const;

/** Today's date in Asia/Shanghai, `2026-11-21`, whatever the phone's zone. */
export function shanghaiToday(nowMs: number): string {
  return new Date(nowMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

function civilToUtcMs(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

export function addDays(date: string, days: number): string {
  return new Date(civilToUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(civilToUtcMs(date)).getUTCDay();
}

/** `2026-11-23` → `11月23日 星期一`. */
export function formatDayLong(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日 星期${WEEKDAYS[weekdayOf(date)]}`;
}

/** Parts of an ISO instant as wall-clock time in Asia/Shanghai. */
function shanghaiParts(iso: string): { date: string; time: string } | null {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  const d = new Date(t + SHANGHAI_OFFSET_MS);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  };
}

/** `09:00–09:30` for a slot, in Asia/Shanghai. */
export function formatSlotRange(start: string, end: string): string {
  const a = shanghaiParts(start);
  const b = shanghaiParts(end);
  if (!a || !b) return `${start}–${end}`;
  return `${a.time}–${b.time}`;
}

/** `2026年11月23日（星期一）09:00–09:30（北京时间）`. */
export function formatAppointmentTime(start: string, end: string): string {
  const a = shanghaiParts(start);
  if (!a) return start;
  const [y, m, d] = a.date.split('-').map(Number);
  return `${y}年${m}月${d}日（星期${WEEKDAYS[weekdayOf(a.date)]}）${formatSlotRange(start, end)}（北京时间）`;
}

export type DayState = 'available' | 'full' | 'closed';

export interface CalendarDay {
  date: string;
  day: number;
  weekday: number;
  state: DayState;
  remaining: number;
  /** What a screen reader says for the day's button. */
  label: string;
}

export interface CalendarWeek {
  /** null cells pad the first and last week to Monday–Sunday. */
  days: (CalendarDay | null)[];
}

/**
 * The booking calendar from `from` to `to` (inclusive): a day the server lists with seats left is
 * available, one listed with none is full, and one it does not list (closed, holiday, no opening
 * hours, too close) is closed.
 */
export function calendarDays(slotDays: readonly SlotDayView[], from: string, to: string): CalendarDay[] {
  const byDate = new Map(slotDays.map((d) => [d.date, d]));
  const out: CalendarDay[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const info = byDate.get(date);
    const remaining = info ? Math.max(0, info.remaining) : 0;
    const state: DayState = !info || info.slots === 0 ? 'closed' : remaining > 0 ? 'available' : 'full';
    const words = state === 'available' ? `可预约，余 ${remaining} 个号` : state === 'full' ? '已约满' : '不可预约';
    out.push({ date, day: Number(date.slice(8, 10)), weekday: weekdayOf(date), state, remaining, label: `${formatDayLong(date)}，${words}` });
  }
  return out;
}

/** The days laid out in weeks starting on Monday, the way Chinese calendars are printed. */
export function calendarWeeks(days: readonly CalendarDay[]): CalendarWeek[] {
  const weeks: CalendarWeek[] = [];
  let current: (CalendarDay | null)[] = [];
  const first = days[0];
  if (first) for (let i = 0; i < (first.weekday + 6) % 7; i++) current.push(null);
  for (const d of days) {
    current.push(d);
    if (current.length === 7) {
      weeks.push({ days: current });
      current = [];
    }
  }
  if (current.length > 0) {
    while (current.length < 7) current.push(null);
    weeks.push({ days: current });
  }
  return weeks;
}

/** The calendar's range: today through the last day the server offers (at least a week). */
export function calendarRange(slotDays: readonly SlotDayView[], today: string): { from: string; to: string } {
  const last = slotDays.reduce((max, d) => (d.date > max ? d.date : max), addDays(today, 6));
  return { from: today, to: last };
}

export const firstAvailableDay = (days: readonly CalendarDay[]) => days.find((d) => d.state === 'available')?.date;

/** A slot can be picked when it is inside the booking window and has a seat. */
export const slotPickable = (s: SlotView) => s.bookable && s.remaining > 0;

export function slotLabel(s: SlotView): string {
  const range = formatSlotRange(s.start, s.end);
  if (!s.bookable) return `${range}，不可预约`;
  return s.remaining > 0 ? `${range}，余 ${s.remaining} 个号` : `${range}，已约满`;
}

/** Plain Chinese for every rule the server enforces, saying what to do next. */
export const APPOINTMENT_ERROR_TEXT: Record<string, string> = {
  APPOINTMENT_SLOT_FULL: '这个时段刚刚被约满了，请重新选择其他时段（列表已刷新）。',
  APPOINTMENT_SERVICE_LIMIT: '您已有该业务的有效预约，每项业务只能同时预约一次。如需换时间，请到“我的预约”改约。',
  APPOINTMENT_DAY_LIMIT: '您当天在该网点已有预约，每人每天每个网点只能预约一次，请选择其他日期。',
  APPOINTMENT_TOO_LATE: '该时段已开始或距开始不足规定时间，不能再预约，请选择较晚的时段。',
  APPOINTMENT_TOO_FAR_AHEAD: '该日期超出可预约范围，请选择较近的日期。',
  APPOINTMENT_OFFICE_CLOSED: '该网点当天不办公，请选择其他日期。',
  APPOINTMENT_NO_SHOW_BLOCKED: '因多次预约后未到场办理，暂时不能预约。',
  APPOINTMENT_CHANGE_CUTOFF: '距预约开始时间太近，已不能取消或改约。如不能按时到场，请致电网点。',
  APPOINTMENT_NOT_ACTIVE: '该预约已取消或已办理，不能再更改。',
  APPOINTMENT_RESCHEDULE_INVALID: '只能改约到同一业务的其他时段，请重新选择。',
  APPOINTMENT_SLOT_NOT_FOUND: '该时段已不存在，请重新选择。',
  APPOINTMENT_NOT_FOUND: '未找到该预约，可能已被删除。',
  APPOINTMENT_SERVICE_NOT_FOUND: '未找到该预约业务，请重新选择。',
  APPOINTMENT_OFFICE_NOT_FOUND: '未找到该办理网点，请重新选择。',
};

/** Codes after which the slot list must be reloaded and another slot picked. */
export const PICK_AGAIN_CODES: ReadonlySet<string> = new Set([
  'APPOINTMENT_SLOT_FULL',
  'APPOINTMENT_TOO_LATE',
  'APPOINTMENT_SLOT_NOT_FOUND',
  'APPOINTMENT_OFFICE_CLOSED',
  'APPOINTMENT_DAY_LIMIT',
  'APPOINTMENT_TOO_FAR_AHEAD',
  'APPOINTMENT_RESCHEDULE_INVALID',
]);

export const errorCode = (err: unknown): string => (err instanceof ApiError ? err.code : 'UNKNOWN');

function blockedUntilText(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const until = (details as { blockedUntil?: unknown }).blockedUntil;
  if (typeof until !== 'string') return undefined;
  const p = shanghaiParts(until);
  if (!p) return undefined;
  const [y, m, d] = p.date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The message for a failed booking, cancel or reschedule. */
export function appointmentErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return '出现了意外错误，请稍后重试。';
  if (err.code === 'APPOINTMENT_NO_SHOW_BLOCKED') {
    const until = blockedUntilText(err.details);
    return until ? `因多次预约后未到场办理，${until} 之前不能预约。` : APPOINTMENT_ERROR_TEXT[err.code]!;
  }
  const text = APPOINTMENT_ERROR_TEXT[err.code];
  if (text) return text;
  return err.requestId ? `${err.message}（编号 ${err.requestId}）` : err.message;
}

export const STATUS_TEXT: Record<AppointmentView['status'], string> = {
  booked: '已预约',
  rescheduled: '已改约',
  cancelled: '已取消',
  checked_in: '已办理',
  no_show: '未到场',
};

export const STATUS_TAG: Record<AppointmentView['status'], 'primary' | 'success' | 'default' | 'danger'> = {
  booked: 'primary',
  rescheduled: 'primary',
  cancelled: 'default',
  checked_in: 'success',
  no_show: 'danger',
};

/** A past active booking still says 已预约 in the data; the list calls it 已过期. */
export function statusText(a: Pick<AppointmentView, 'status' | 'active' | 'end'>, nowMs: number): string {
  if (a.active && Date.parse(a.end) < nowMs) return '已过期';
  return STATUS_TEXT[a.status];
}

export const isUpcoming = (a: Pick<AppointmentView, 'active' | 'end'>, nowMs: number) => a.active && Date.parse(a.end) >= nowMs;

/** Upcoming active bookings first, soonest first; then the rest, latest first. */
export function sortAppointments<T extends Pick<AppointmentView, 'active' | 'start' | 'end' | 'id'>>(list: readonly T[], nowMs: number): T[] {
  return [...list].sort((a, b) => {
    const ua = isUpcoming(a, nowMs);
    const ub = isUpcoming(b, nowMs);
    if (ua !== ub) return ua ? -1 : 1;
    const diff = Date.parse(a.start) - Date.parse(b.start);
    if (diff !== 0) return ua ? diff : -diff;
    return b.id - a.id;
  });
}

export const icsUrl = (id: number) => `/api/h5/appointments/${id}/ics`;
