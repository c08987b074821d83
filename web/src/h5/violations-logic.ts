/**
 * Pure logic of the 违法查询 / 我的车辆 / 驾驶证记分 pages: the lookup form's validation (the
 * server's own plate rules, so the messages match), formatting and error presentation.
 */
import { ApiError } from '../common/api';
import {
  PLATE_TYPES,
  normalisePlateNo,
  normalisePlateType,
  normaliseProofSuffix,
  type PlateType,
} from '../../../server/violations/plates';
import type { ViolationView } from '../../../server/violations/schema';

export { PLATE_TYPES, type PlateType };

/** The plate types citizens pick most, first in the list; the rest follow under 其他. */
export const COMMON_PLATE_TYPES: readonly PlateType[] = ['02', '01', '52', '51', '07', '15'];

export interface PlateTypeOption {
  code: PlateType;
  label: string;
}

export function plateTypeOptions(): { common: PlateTypeOption[]; other: PlateTypeOption[] } {
  const option = (code: PlateType): PlateTypeOption => ({ code, label: `${PLATE_TYPES[code]}（${code}）` });
  const all = Object.keys(PLATE_TYPES) as PlateType[];
  return {
    common: COMMON_PLATE_TYPES.map(option),
    other: all.filter((c) => !COMMON_PLATE_TYPES.includes(c)).map(option),
  };
}

export interface PlateFormInput {
  plateType: string;
  plateNo: string;
  vinSuffix: string;
}

export type PlateField = keyof PlateFormInput;
export type FieldErrors = Partial<Record<PlateField, string>>;

export type PlateFormResult =
  | { ok: true; value: { plateType: PlateType; plateNo: string; vinSuffix: string } }
  | { ok: false; errors: FieldErrors };

/**
 * Checks the form before it is sent. `suffixOptional`: a lookup may leave the suffix empty
 * (the server accepts that for a vehicle bound to the citizen, and says so otherwise).
 */
export function validatePlateForm(input: PlateFormInput, opts: { suffixOptional?: boolean } = {}): PlateFormResult {
  const errors: FieldErrors = {};
  const type = normalisePlateType(input.plateType);
  if (!type.ok) errors.plateType = type.message;
  const no = normalisePlateNo(input.plateNo, type.ok ? type.value : undefined);
  if (!no.ok) errors.plateNo = no.message;
  let vinSuffix = '';
  if (!(opts.suffixOptional && input.vinSuffix.trim() === '')) {
    const suffix = normaliseProofSuffix(input.vinSuffix);
    if (suffix.ok) vinSuffix = suffix.value;
    else errors.vinSuffix = suffix.message;
  }
  if (!type.ok || !no.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { plateType: type.value, plateNo: no.value, vinSuffix } };
}

/** Per-field messages from a 400 whose details are `[{ path, message }]`. */
export function fieldErrorsFromApi(err: unknown): FieldErrors {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return {};
  const out: FieldErrors = {};
  for (const d of err.details as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const { path, message } = d as { path?: unknown; message?: unknown };
    const key: unknown = Array.isArray(path) ? (path as unknown[])[0] : path;
    if ((key === 'plateType' || key === 'plateNo' || key === 'vinSuffix') && typeof message === 'string') out[key] = message;
  }
  return out;
}

/** Seconds until a 429 lifts: `details.retryAfterSeconds`, else undefined. */
export function retryAfterSeconds(err: unknown): number | undefined {
  if (!(err instanceof ApiError) || err.status !== 429) return undefined;
  const d = err.details as { retryAfterSeconds?: unknown } | null | undefined;
  const s = typeof d === 'object' && d !== null ? d.retryAfterSeconds : undefined;
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? Math.ceil(s) : undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** China Standard Time has had no daylight saving since 1991: a fixed +08:00. */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Wall-clock time in Asia/Shanghai, `2026-10-12 08:17`, whatever the phone's zone. */
export function formatShanghaiTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t + SHANGHAI_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** When a blocked lookup may be tried again, in words and as Shanghai clock time. */
export function retryAfterText(seconds: number, nowMs: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const at = formatShanghaiTime(new Date(nowMs + seconds * 1000).toISOString()).slice(11);
  return `核验失败次数过多，请 ${minutes} 分钟后（${at} 以后）再试。`;
}

/** `2026-05-12` → `2026年5月12日`. */
export function formatDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date;
}

export function formatYuan(yuan: number): string {
  return `${yuan.toLocaleString('zh-CN')} 元`;
}

export const STATUS_TEXT: Record<ViolationView['status'], string> = {
  unprocessed: '未处理',
  processed: '已处理未缴款',
  paid: '已缴款',
};

/** Vant Tag types: red for what needs action, orange for a pending payment, green when done. */
export const STATUS_TAG: Record<ViolationView['status'], 'danger' | 'warning' | 'success'> = {
  unprocessed: 'danger',
  processed: 'warning',
  paid: 'success',
};

/** One line for screen readers and the result header. */
export function totalsSentence(t: { count: number; points: number; fineYuan: number }): string {
  if (t.count === 0) return '没有交通违法记录';
  return `共 ${t.count} 条违法记录，累计记 ${t.points} 分，罚款 ${formatYuan(t.fineYuan)}`;
}

/** Points left before suspension, and whether it is close (≥ 9 of 12). */
export function pointsSummary(points: number, limit: number): { left: number; warning: boolean; text: string } {
  const left = Math.max(0, limit - points);
  const text = points >= limit ? `已达到 ${limit} 分，驾驶证将被暂扣，请尽快参加学习考试` : `本周期已记 ${points} 分，距 ${limit} 分还有 ${left} 分`;
  return { left, warning: points >= Math.ceil(limit * 0.75), text };
}

const LICENCE_STATUS: Record<string, string> = { normal: '正常', suspended: '暂扣', revoked: '吊销', expired: '已过期' };
export const licenceStatusText = (s: string) => LICENCE_STATUS[s] ?? s;
