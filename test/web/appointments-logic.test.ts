import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import {
  APPOINTMENT_ERROR_TEXT,
  addDays,
  appointmentErrorText,
  calendarDays,
  calendarRange,
  calendarWeeks,
  firstAvailableDay,
  formatAppointmentTime,
  formatDayLong,
  formatSlotRange,
  icsUrl,
  shanghaiToday,
  slotLabel,
  slotPickable,
  sortAppointments,
  statusText,
} from '../../web/src/h5/appointments-logic';

const err = (status: number, code: string, details?: unknown) => new ApiError(status, { code, message: `server says ${code}`, details });

describe('Shanghai dates and times', () => {
  it('takes today in Asia/Shanghai, not UTC', () => {
    expect(shanghaiToday(Date.parse('2026-11-20T16:30:00Z'))).toBe('2026-11-21');
    expect(shanghaiToday(Date.parse('2026-11-20T15:59:00Z'))).toBe('2026-11-20');
  });
  it('adds days across months and years', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('formats a day with its weekday', () => {
    expect(formatDayLong('2026-11-23')).toBe('11月23日 星期一');
    expect(formatDayLong('2026-11-22')).toBe('11月22日 星期日');
  });
  it('formats slot times as Shanghai wall-clock whatever the offset given', () => {
    expect(formatSlotRange('2026-11-23T09:00:00+08:00', '2026-11-23T09:30:00+08:00')).toBe('09:00–09:30');
    expect(formatSlotRange('2026-11-23T01:00:00Z', '2026-11-23T01:30:00Z')).toBe('09:00–09:30');
    expect(formatAppointmentTime('2026-11-23T06:00:00Z', '2026-11-23T06:30:00Z')).toBe('2026年11月23日（星期一）14:00–14:30（北京时间）');
    expect(formatAppointmentTime('2026-11-22T16:30:00Z', '2026-11-22T17:00:00Z')).toBe('2026年11月23日（星期一）00:30–01:00（北京时间）');
  });
});

describe('calendar day states', () => {
  const slotDays = [
    { date: '2026-11-23', slots: 13, remaining: 20 },
    { date: '2026-11-24', slots: 13, remaining: 0 },
    { date: '2026-11-26', slots: 0, remaining: 0 },
    { date: '2026-12-04', slots: 13, remaining: 1 },
  ];
  const days = calendarDays(slotDays, '2026-11-21', '2026-11-27');

  it('marks listed days with room available, listed days without full and unlisted days closed', () => {
    expect(days.map((d) => [d.date, d.state])).toEqual([
      ['2026-11-21', 'closed'],
      ['2026-11-22', 'closed'],
      ['2026-11-23', 'available'],
      ['2026-11-24', 'full'],
      ['2026-11-25', 'closed'],
      ['2026-11-26', 'closed'],
      ['2026-11-27', 'closed'],
    ]);
    expect(days[2]).toMatchObject({ remaining: 20, day: 23, weekday: 1, label: '11月23日 星期一，可预约，余 20 个号' });
    expect(days[3]!.label).toBe('11月24日 星期二，已约满');
    expect(days[0]!.label).toBe('11月21日 星期六，不可预约');
    expect(firstAvailableDay(days)).toBe('2026-11-23');
    expect(firstAvailableDay(days.filter((d) => d.state !== 'available'))).toBeUndefined();
  });

  it('runs from today to the last offered day, at least a week', () => {
    expect(calendarRange(slotDays, '2026-11-21')).toEqual({ from: '2026-11-21', to: '2026-12-04' });
    expect(calendarRange([], '2026-11-21')).toEqual({ from: '2026-11-21', to: '2026-11-27' });
  });

  it('lays the days out Monday to Sunday with padding', () => {
    const weeks = calendarWeeks(days);
    expect(weeks).toHaveLength(2);
    expect(weeks[0]!.days.slice(0, 5)).toEqual([null, null, null, null, null]);
    expect(weeks[0]!.days[5]?.date).toBe('2026-11-21');
    expect(weeks[1]!.days[0]?.date).toBe('2026-11-23');
    expect(weeks[1]!.days[4]?.date).toBe('2026-11-27');
    expect(weeks[1]!.days.slice(5)).toEqual([null, null]);
    expect(weeks.every((w) => w.days.length === 7)).toBe(true);
  });
});

describe('slots', () => {
  const slot = { id: 1, start: '2026-11-23T09:00:00+08:00', end: '2026-11-23T09:30:00+08:00', capacity: 3, remaining: 2, bookable: true };
  it('is pickable only inside the window with a seat', () => {
    expect(slotPickable(slot)).toBe(true);
    expect(slotPickable({ ...slot, remaining: 0 })).toBe(false);
    expect(slotPickable({ ...slot, bookable: false })).toBe(false);
  });
  it('says the seats left', () => {
    expect(slotLabel(slot)).toBe('09:00–09:30，余 2 个号');
    expect(slotLabel({ ...slot, remaining: 0 })).toBe('09:00–09:30，已约满');
    expect(slotLabel({ ...slot, bookable: false })).toBe('09:00–09:30，不可预约');
  });
});

describe('rule errors in plain Chinese', () => {
  it.each([
    ['APPOINTMENT_SLOT_FULL', '约满'],
    ['APPOINTMENT_SERVICE_LIMIT', '每项业务只能同时预约一次'],
    ['APPOINTMENT_DAY_LIMIT', '每人每天每个网点只能预约一次'],
    ['APPOINTMENT_TOO_LATE', '较晚的时段'],
    ['APPOINTMENT_CHANGE_CUTOFF', '已不能取消或改约'],
    ['APPOINTMENT_NO_SHOW_BLOCKED', '未到场'],
  ])('%s', (code, words) => {
    expect(appointmentErrorText(err(409, code))).toContain(words);
    expect(APPOINTMENT_ERROR_TEXT[code]).toBeDefined();
  });
  it('names the day a no-show block lifts, in Shanghai', () => {
    expect(appointmentErrorText(err(409, 'APPOINTMENT_NO_SHOW_BLOCKED', { blockedUntil: '2026-12-20T16:30:00Z' }))).toBe(
      '因多次预约后未到场办理，2026年12月21日 之前不能预约。',
    );
  });
  it('falls back to the server message, then a generic one', () => {
    expect(appointmentErrorText(err(500, 'INTERNAL'))).toBe('server says INTERNAL');
    expect(appointmentErrorText(new Error('x'))).toBe('出现了意外错误，请稍后重试。');
  });
});

describe('我的预约 order and status', () => {
  const now = Date.parse('2026-11-21T04:00:00Z');
  const a = (id: number, start: string, active: boolean) => ({ id, active, start, end: new Date(Date.parse(start) + 1800_000).toISOString() });
  it('puts upcoming active bookings first, soonest first, then the rest latest first', () => {
    const list = [
      a(1, '2026-11-10T01:00:00Z', false),
      a(2, '2026-11-30T01:00:00Z', true),
      a(3, '2026-11-24T01:00:00Z', true),
      a(4, '2026-11-25T01:00:00Z', false),
      a(5, '2026-11-20T01:00:00Z', true),
    ];
    expect(sortAppointments(list, now).map((x) => x.id)).toEqual([3, 2, 4, 5, 1]);
  });
  it('calls a past active booking 已过期', () => {
    expect(statusText({ status: 'booked', active: true, end: '2026-11-20T01:30:00Z' }, now)).toBe('已过期');
    expect(statusText({ status: 'rescheduled', active: true, end: '2026-11-24T01:30:00Z' }, now)).toBe('已改约');
    expect(statusText({ status: 'cancelled', active: false, end: '2026-11-24T01:30:00Z' }, now)).toBe('已取消');
  });
  it('links the calendar file', () => {
    expect(icsUrl(42)).toBe('/api/h5/appointments/42/ics');
  });
});
