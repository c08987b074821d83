/**
 * Pure logic of 在线申请's generated form: which control each field kind gets, the checks run
 * before anything is sent (the same rules the server applies, so the messages agree), the file
 * checks run before an upload starts, and the review step's rows.
 */
import { ApiError } from '../common/api';
import { normalisePlateNo, toHalfWidth } from '../../../server/violations/plates';
import { maskIdNumber, normaliseIdNumber, normaliseMobile } from '../../../server/applications/id-number';
import { isCivilDate } from '../../../server/calendar/civil-date';

export { maskIdNumber };

export const FIELD_KINDS = ['text', 'number', 'date', 'selection', 'id_number', 'phone', 'plate', 'file'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export interface SelectionOption {
  value: string;
  label: string;
}

/** A field of an application type's form, as far as the page needs it. */
export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  hint?: string | null;
  minLength?: number | null;
  maxLength?: number | null;
  min?: number | null;
  max?: number | null;
  /** number fields: whole numbers only */
  integer?: boolean | null;
  options?: readonly SelectionOption[] | null;
  /** file fields: how many attachments at most */
  maxFiles?: number | null;
}

/** The upload limits the server announces (size in bytes, MIME types). */
export interface UploadLimits {
  maxBytes: number;
  types: readonly string[];
}

/** The value a field holds in the page: text for most, attachment ids for files. */
export type AnswerValue = string | number[];
export type Answers = Record<string, AnswerValue>;

export type ControlKind = 'input' | 'select' | 'radio' | 'date' | 'uploader';

export interface ControlSpec {
  control: ControlKind;
  /** `<input type>` for 'input' controls */
  inputType?: 'text' | 'tel' | 'number';
  inputmode?: 'text' | 'numeric' | 'decimal' | 'tel';
  maxlength?: number;
  autocomplete?: string;
  /** upper-case as typed (ID numbers end in X, plates are letters) */
  upperCase?: boolean;
  placeholder: string;
}

/** Radios when the choices fit on one screen; a native select (the phone's own wheel) beyond. */
export const RADIO_MAX_OPTIONS = 4;

/**
 * The server's default upload rules (ATTACHMENT_MAX_BYTES 5 MiB; JPEG, PNG, PDF), used only until
 * the server's own announcement (`uploads` of GET /api/h5/application-types) has arrived.
 */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxBytes: 5 * 1024 * 1024, types: ['image/jpeg', 'image/png', 'application/pdf'] };

/** The limits the server announced, or the defaults when the announcement is missing or malformed. */
export function uploadLimitsFrom(announced: unknown): UploadLimits {
  if (typeof announced !== 'object' || announced === null) return DEFAULT_UPLOAD_LIMITS;
  const { maxBytes, types } = announced as { maxBytes?: unknown; types?: unknown };
  const sizeOk = typeof maxBytes === 'number' && Number.isInteger(maxBytes) && maxBytes > 0;
  const typesOk = Array.isArray(types) && types.length > 0 && types.every((t) => typeof t === 'string' && t !== '');
  return {
    maxBytes: sizeOk ? maxBytes : DEFAULT_UPLOAD_LIMITS.maxBytes,
    types: typesOk ? (types as string[]) : DEFAULT_UPLOAD_LIMITS.types,
  };
}

export const optionsOf = (field: Pick<FieldSpec, 'options'>): readonly SelectionOption[] => field.options ?? [];

/** Which Vant control (or native element inside a Vant field) a field kind gets. */
export function controlFor(field: FieldSpec): ControlSpec {
  const max = field.maxLength ?? undefined;
  switch (field.kind) {
    case 'text':
      return { control: 'input', inputType: 'text', maxlength: max, placeholder: `请输入${field.label}` };
    case 'number':
      return {
        control: 'input',
        inputType: 'text',
        inputmode: field.integer ? 'numeric' : 'decimal',
        placeholder: rangeHint(field) ?? `请输入${field.label}`,
      };
    case 'date':
      return { control: 'date', placeholder: '请选择日期' };
    case 'selection':
      return { control: optionsOf(field).length <= RADIO_MAX_OPTIONS ? 'radio' : 'select', placeholder: `请选择${field.label}` };
    case 'id_number':
      return { control: 'input', inputType: 'text', maxlength: 18, autocomplete: 'off', upperCase: true, placeholder: '18位公民身份号码' };
    case 'phone':
      return { control: 'input', inputType: 'tel', inputmode: 'tel', maxlength: 11, autocomplete: 'tel', placeholder: '11位手机号码' };
    case 'plate':
      return { control: 'input', inputType: 'text', maxlength: 10, autocomplete: 'off', upperCase: true, placeholder: '如 粤B12345' };
    case 'file':
      return { control: 'uploader', placeholder: '上传文件' };
  }
}

function rangeHint(field: FieldSpec): string | undefined {
  const { min, max } = field;
  if (min != null && max != null) return `${min}–${max}`;
  if (min != null) return `不小于 ${min}`;
  if (max != null) return `不大于 ${max}`;
  return undefined;
}

/** The server's defaults where a definition gives no limit (server/applications/form-schema.ts;
 * repeated here because that module builds zod schemas on import; a test keeps them equal). */
export const TEXT_MAX_DEFAULT = 200;
export const FILES_MAX_DEFAULT = 5;

const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

export type Checked = { ok: true; value: string | number | number[] } | { ok: false; message: string };

const blank = (v: AnswerValue | undefined) => v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/**
 * One answer, checked and normalised by the server's own rules and worded as the server words
 * them (the citizen sees the same message whichever side catches it); a blank optional field is `''`.
 */
export function checkField(field: FieldSpec, raw: AnswerValue | undefined): Checked {
  const L = field.label;
  if (blank(raw)) {
    if (!field.required) return { ok: true, value: field.kind === 'file' ? [] : '' };
    return { ok: false, message: field.kind === 'file' ? `请上传${L}` : field.kind === 'selection' ? `请选择${L}` : `请填写${L}` };
  }
  if (field.kind === 'file') {
    const ids = Array.isArray(raw) ? [...new Set(raw)] : [];
    const max = field.maxFiles ?? FILES_MAX_DEFAULT;
    if (ids.length > max) return { ok: false, message: `${L}最多${max}个文件` };
    return { ok: true, value: ids };
  }
  const text = typeof raw === 'string' ? raw : '';
  switch (field.kind) {
    case 'text': {
      const s = text.trim();
      const n = [...s].length;
      const min = field.minLength ?? (field.required ? 1 : 0);
      const max = field.maxLength ?? TEXT_MAX_DEFAULT;
      if (n < min) return { ok: false, message: `${L}至少${min}个字` };
      if (n > max) return { ok: false, message: `${L}最多${max}个字` };
      if (CONTROL_CHARS.test(s)) return { ok: false, message: `${L}含有不可见的控制字符` };
      return { ok: true, value: s };
    }
    case 'number': {
      const s = toHalfWidth(text).trim();
      if (!NUMBER_TEXT.test(s)) return { ok: false, message: `${L}应为数字` };
      const n = Number(s);
      if (field.integer && !Number.isInteger(n)) return { ok: false, message: `${L}应为整数` };
      if (field.min != null && n < field.min) return { ok: false, message: `${L}不能小于${field.min}` };
      if (field.max != null && n > field.max) return { ok: false, message: `${L}不能大于${field.max}` };
      return { ok: true, value: n };
    }
    case 'date':
      return isCivilDate(text) ? { ok: true, value: text } : { ok: false, message: `${L}应为有效日期，如 2026-01-31` };
    case 'selection':
      return optionsOf(field).some((o) => o.value === text) ? { ok: true, value: text } : { ok: false, message: `请从列表中选择${L}` };
    case 'id_number': {
      const r = normaliseIdNumber(text);
      return r.ok ? r : { ok: false, message: `${L}${r.message}` };
    }
    case 'phone': {
      const r = normaliseMobile(text);
      return r.ok ? r : { ok: false, message: `${L}${r.message}` };
    }
    case 'plate': {
      const r = normalisePlateNo(text);
      return r.ok ? r : { ok: false, message: `${L}：${r.message}` };
    }
  }
}

export type FormErrors = Record<string, string>;

export type FormResult = { ok: true; answers: Record<string, string | number | number[]> } | { ok: false; errors: FormErrors };

/** Checks every field; a file field's answer is its attachment ids (the server ties each upload to its material that way). */
export function validateForm(fields: readonly FieldSpec[], answers: Answers): FormResult {
  const errors: FormErrors = {};
  const out: Record<string, string | number | number[]> = {};
  for (const f of fields) {
    const r = checkField(f, answers[f.key]);
    if (!r.ok) errors[f.key] = r.message;
    else if (r.value !== '' && !(Array.isArray(r.value) && r.value.length === 0)) out[f.key] = r.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, answers: out };
}

/** The first field (in form order) that has a problem, for focus. */
export const firstErrorField = (fields: readonly FieldSpec[], errors: FormErrors) => fields.find((f) => errors[f.key])?.key;

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

const EXT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  pdf: 'application/pdf',
};

const TYPE_WORDS: Record<string, string> = {
  'image/jpeg': 'JPG',
  'image/png': 'PNG',
  'application/pdf': 'PDF',
};

/** `10 MB`, `512 KB`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / 1024 / 1024).toFixed(1))} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} 字节`;
}

export const acceptWords = (accept: readonly string[]) => accept.map((t) => TYPE_WORDS[t] ?? t).join('、');

/**
 * Checked before the upload starts, so a citizen on a slow network is told at once. Some phones
 * report no MIME type; the extension then decides. The server checks the content again.
 */
export function checkFile(file: FileLike, label: string, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): string | undefined {
  const accept = limits.types.length > 0 ? limits.types : DEFAULT_UPLOAD_LIMITS.types;
  const maxBytes = limits.maxBytes;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  const type = file.type || EXT_TYPES[ext] || '';
  if (!accept.includes(type)) return `“${file.name}”的格式不支持，${label}请上传 ${acceptWords(accept)} 文件`;
  if (file.size === 0) return `“${file.name}”是空文件，请重新选择`;
  if (file.size > maxBytes) return `“${file.name}”有 ${formatBytes(file.size)}，超过 ${formatBytes(maxBytes)} 的上限，请压缩或重新拍摄后上传`;
  return undefined;
}

/** Per-field messages from a 400 whose details are `[{ path, message }]` (path `answers.<name>` or `<name>`). */
export function formErrorsFromApi(err: unknown, fields: readonly FieldSpec[]): FormErrors {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return {};
  const names = new Set(fields.map((f) => f.key));
  const out: FormErrors = {};
  for (const d of err.details as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const { path, message, field } = d as { path?: unknown; message?: unknown; field?: unknown };
    const parts = Array.isArray(path) ? path.map(String) : typeof path === 'string' ? path.split('.') : [];
    const name = typeof field === 'string' ? field : parts[0] === 'answers' ? parts[1] : parts[0];
    if (name && names.has(name) && typeof message === 'string' && !out[name]) out[name] = message;
  }
  return out;
}

/** What the review step shows for a field (files as their names). */
export function reviewValue(field: FieldSpec, value: AnswerValue | undefined, fileNames: ReadonlyMap<number, string>): string {
  if (field.kind === 'file') {
    const ids = Array.isArray(value) ? value : [];
    return ids.length ? ids.map((id) => fileNames.get(id) ?? `文件 ${id}`).join('、') : '未上传';
  }
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return '未填写';
  if (field.kind === 'selection') return optionsOf(field).find((o) => o.value === text)?.label ?? text;
  if (field.kind === 'id_number') return maskIdNumber(text.toUpperCase());
  return text;
}

/** One file in a file field: being uploaded, uploaded (has its attachment id) or failed. */
export interface UploadItem {
  /** stable key for the list while the upload has no id yet */
  key: string;
  name: string;
  size: number;
  status: 'uploading' | 'done' | 'failed';
  progress: number;
  attachmentId?: number;
  error?: string;
}

export const uploadedIds = (items: readonly UploadItem[]) =>
  items.filter((i) => i.status === 'done' && i.attachmentId !== undefined).map((i) => i.attachmentId!);

export const uploadsPending = (uploads: Readonly<Record<string, readonly UploadItem[]>>) =>
  Object.values(uploads).some((items) => items.some((i) => i.status === 'uploading'));

/** The answers with each file field's answer taken from its finished uploads. */
export function answersWithUploads(fields: readonly FieldSpec[], answers: Answers, uploads: Readonly<Record<string, readonly UploadItem[]>>): Answers {
  const out: Answers = { ...answers };
  for (const f of fields) if (f.kind === 'file') out[f.key] = uploadedIds(uploads[f.key] ?? []);
  return out;
}

/** A form prefilled from stored answers (answering 补正): text as typed, files as their attachments. */
export function answersFromStored(fields: readonly FieldSpec[], stored: Readonly<Record<string, unknown>>): Answers {
  const out: Answers = {};
  for (const f of fields) {
    const v = stored[f.key];
    if (f.kind === 'file') out[f.key] = Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
    else out[f.key] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}
