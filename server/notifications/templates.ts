import { SANDBOX_TEMPLATES } from '../sandbox/templates';
import type { NotificationKind } from './types';

/**
 * Event → template message (PROTOCOL §7). Since 2023 WeChat shows only the keyword rows: no
 * first/remark, no colour, no emoji, values limited by the keyword's name prefix and without line
 * breaks. So every message is built to be understood from its keywords alone, and values are
 * fitted here rather than left for the platform to reject (47003) or strip.
 *
 * Keyword layouts are the category templates the sandbox lists; a live account must add
 * templates with the same keywords and name their ids in the WECHAT_TEMPLATE_* settings.
 */
export const TEMPLATE_SLOTS = ['applicationStatus', 'appointmentBooked', 'appointmentReminder', 'appointmentCancelled'] as const;
export type TemplateSlot = (typeof TEMPLATE_SLOTS)[number];
export type TemplateIds = Record<TemplateSlot, string | undefined>;

const SANDBOX_TITLES: Record<TemplateSlot, string> = {
  applicationStatus: '业务办理进度通知',
  appointmentBooked: '预约成功通知',
  appointmentReminder: '预约办理提醒',
  appointmentCancelled: '预约取消通知',
};

/** Sandbox mode: the simulator's ids unless configured; live mode: only what is configured. */
export function resolveTemplateIds(mode: 'sandbox' | 'live', configured: Partial<TemplateIds>): TemplateIds {
  const out = {} as TemplateIds;
  for (const slot of TEMPLATE_SLOTS) {
    const sandboxId = SANDBOX_TEMPLATES.find((t) => t.title === SANDBOX_TITLES[slot])?.template_id;
    out[slot] = configured[slot] ?? (mode === 'sandbox' ? sandboxId : undefined);
  }
  return out;
}

const SLOT_OF: Record<NotificationKind, TemplateSlot> = {
  'application.accepted': 'applicationStatus',
  'application.needs_info': 'applicationStatus',
  'application.approved': 'applicationStatus',
  'application.rejected': 'applicationStatus',
  'application.completed': 'applicationStatus',
  'appointment.booked': 'appointmentBooked',
  'appointment.reminder': 'appointmentReminder',
  'appointment.cancelled': 'appointmentCancelled',
};

export const templateSlotOf = (kind: NotificationKind): TemplateSlot => SLOT_OF[kind];

/** `phrase` keywords take a short Chinese phrase (5 characters on the platform). */
const LIMITS: [string, number][] = [
  ['character_string', 32],
  ['phone_number', 17],
  ['car_number', 8],
  ['thing', 20],
  ['const', 20],
  ['phrase', 5],
];
const DEFAULT_LIMIT = 20;
const EMOJI = /\p{Extended_Pictographic}\uFE0F?/gu;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

export const keywordLimit = (key: string): number => LIMITS.find(([prefix]) => key.startsWith(prefix))?.[1] ?? DEFAULT_LIMIT;

/** One line, no emoji, at most the keyword's limit in characters (code points); cut values end in `…`. */
export function fitValue(key: string, value: string): string {
  const oneLine = value.replace(CONTROL, ' ').replace(EMOJI, '').replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  const limit = keywordLimit(key);
  if (chars.length <= limit) return oneLine;
  // character_string values (reference numbers) are not prose: cut without an ellipsis.
  return key.startsWith('character_string') || key.startsWith('car_number') ? chars.slice(0, limit).join('') : `${chars.slice(0, limit - 1).join('')}…`;
}

const fmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** the last minute formatted: rows of one batch were mostly queued in the same minute, and formatToParts is slow */
let lastMinute = { minute: NaN, text: '' };

/** `2024年5月6日 09:00` in Beijing time. */
export function beijingTime(at: Date): string {
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute === lastMinute.minute) return lastMinute.text;
  const p = Object.fromEntries(fmt.formatToParts(at).map((x) => [x.type, x.value]));
  const text = `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
  lastMinute = { minute, text };
  return text;
}

const hhmm = (at: Date) => beijingTime(at).split(' ')[1] ?? '';

const APPLICATION_PHRASE: Record<string, string> = {
  'application.accepted': '已受理',
  'application.needs_info': '需补充材料',
  'application.approved': '审核通过',
  'application.rejected': '未通过',
  'application.completed': '已办结',
};

export interface RenderInput {
  id: number;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  /** when the event happened (the row's queued time) */
  queuedAt: Date;
}

export interface RenderedTemplate {
  templateId: string;
  url: string;
  data: Record<string, { value: string }>;
}

export type RenderResult = { ok: true; message: RenderedTemplate } | { ok: false; code: 'NOTIFICATION_TEMPLATE_NOT_CONFIGURED' | 'NOTIFICATION_PAYLOAD_INVALID'; message: string };

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const date = (v: unknown): Date | undefined => {
  const d = typeof v === 'string' || v instanceof Date ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
};
const positiveId = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/**
 * Builds the message for one outbox row. The link carries `src=tmpl` and `tmpl=<kind>`, so an H5
 * visit that starts from a message is attributed to it in the usage log.
 */
export function renderNotification(input: RenderInput, ctx: { publicBaseUrl: string; templateIds: TemplateIds }): RenderResult {
  const slot = templateSlotOf(input.kind);
  const templateId = ctx.templateIds[slot];
  if (!templateId) return { ok: false, code: 'NOTIFICATION_TEMPLATE_NOT_CONFIGURED', message: `no template id configured for ${slot}` };
  const p = input.payload;
  const link = (path: string) => `${ctx.publicBaseUrl}/h5/${path}?${new URLSearchParams({ src: 'tmpl', tmpl: input.kind }).toString()}`;
  const values: Record<string, string> = {};
  let url: string;
  if (input.kind.startsWith('application.')) {
    const applicationId = positiveId(p.applicationId);
    if (!applicationId) return { ok: false, code: 'NOTIFICATION_PAYLOAD_INVALID', message: 'applicationId missing' };
    values.thing1 = text(p.typeName) || '办理事项';
    values.character_string2 = text(p.applicationNo) || String(applicationId);
    values.phrase3 = APPLICATION_PHRASE[input.kind] ?? '已更新';
    values.time4 = beijingTime(input.queuedAt);
    url = link(`applications/${applicationId}`);
  } else {
    const appointmentId = positiveId(p.appointmentId);
    const startsAt = date(p.startsAt);
    const endsAt = date(p.endsAt);
    if (!appointmentId || !startsAt) return { ok: false, code: 'NOTIFICATION_PAYLOAD_INVALID', message: 'appointmentId or startsAt missing' };
    values.thing1 = text(p.serviceName) || '预约业务';
    values.thing2 = text(p.officeName) || '办理网点';
    // A range with the year is 21+ characters: the year goes first (the value limit is 20).
    const range = endsAt ? `${beijingTime(startsAt)}-${hhmm(endsAt)}` : beijingTime(startsAt);
    values.time3 = [...range].length <= 20 ? range : range.replace(/^\d{4}年/, '');
    if (input.kind === 'appointment.reminder') values.thing4 = '明天办理，请带好身份证件并提前到达';
    else values.character_string4 = text(p.confirmationCode);
    url = link(`appointments/mine/${appointmentId}`);
  }
  const data: Record<string, { value: string }> = {};
  for (const [key, value] of Object.entries(values)) data[key] = { value: fitValue(key, value) };
  return { ok: true, message: { templateId, url, data } };
}
