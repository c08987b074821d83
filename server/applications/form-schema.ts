import { z } from 'zod';
import type { FormFieldDef } from '../../db/schema';
import { isCivilDate } from '../calendar/civil-date';
import { maskPlateNo, normalisePlateNo } from '../violations/plates';
import { maskIdNumber, maskMobile, normaliseIdNumber, normaliseMobile } from './id-number';

/**
 * Application forms as data. `formFieldSchema` checks a type's definition (seed and tests use
 * it); `buildAnswersSchema` turns a definition into the zod schema a submission is parsed with,
 * so every error names the field by key (path) and by label (message) for the form to show.
 */

export const FIELD_KINDS = ['text', 'number', 'date', 'selection', 'id_number', 'phone', 'plate', 'file'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** Defaults where a definition gives no limit, so no answer is unbounded. */
export const TEXT_MAX_DEFAULT = 200;
export const TEXT_MAX_LIMIT = 2000;
export const FILES_MAX_DEFAULT = 5;

export const formFieldSchema = z
  .strictObject({
    key: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lower-case letters, digits and _ (starting with a letter)'),
    label: z.string().trim().min(1).max(32),
    kind: z.enum(FIELD_KINDS),
    required: z.boolean(),
    hint: z.string().max(200).optional(),
    minLength: z.number().int().min(0).max(TEXT_MAX_LIMIT).optional(),
    maxLength: z.number().int().min(1).max(TEXT_MAX_LIMIT).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    integer: z.boolean().optional(),
    options: z
      .array(z.strictObject({ value: z.string().min(1).max(32), label: z.string().min(1).max(64) }))
      .min(1)
      .max(50)
      .optional(),
    maxFiles: z.number().int().min(1).max(20).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.kind === 'selection' && !f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a selection needs options' });
    if (f.kind !== 'selection' && f.options) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a selection has options' });
    if ((f.minLength !== undefined || f.maxLength !== undefined) && f.kind !== 'text') ctx.addIssue({ code: 'custom', path: ['maxLength'], message: 'length limits are for text' });
    if ((f.min !== undefined || f.max !== undefined || f.integer !== undefined) && f.kind !== 'number') ctx.addIssue({ code: 'custom', path: ['min'], message: 'value limits are for numbers' });
    if (f.maxFiles !== undefined && f.kind !== 'file') ctx.addIssue({ code: 'custom', path: ['maxFiles'], message: 'maxFiles is for file fields' });
    if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength) ctx.addIssue({ code: 'custom', path: ['minLength'], message: 'minLength > maxLength' });
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) ctx.addIssue({ code: 'custom', path: ['min'], message: 'min > max' });
    if (f.options && new Set(f.options.map((o) => o.value)).size !== f.options.length) ctx.addIssue({ code: 'custom', path: ['options'], message: 'option values repeat' });
  });

export const formSchemaSchema = z
  .array(formFieldSchema)
  .min(1)
  .max(40)
  .refine((fields) => new Set(fields.map((f) => f.key)).size === fields.length, 'field keys repeat');

/** One field problem, as the form shows it: `path` is the field key. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Blank optional answers (absent, null, '', []) are left out of the stored answers. */
const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

function fieldSchema(f: FormFieldDef): z.ZodType<unknown> {
  const L = f.label;
  switch (f.kind) {
    case 'text': {
      const max = f.maxLength ?? TEXT_MAX_DEFAULT;
      const min = f.minLength ?? (f.required ? 1 : 0);
      return z
        .string({ error: `${L}应为文字` })
        .transform((s) => s.trim())
        .refine((s) => [...s].length >= min, `${L}至少${min}个字`)
        .refine((s) => [...s].length <= max, `${L}最多${max}个字`)
        .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(s), `${L}含有不可见的控制字符`);
    }
    case 'number':
      return z
        .union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)], { error: `${L}应为数字` })
        .pipe(
          z
            .number()
            .finite()
            .refine((n) => !f.integer || Number.isInteger(n), `${L}应为整数`)
            .refine((n) => f.min === undefined || n >= f.min, `${L}不能小于${f.min}`)
            .refine((n) => f.max === undefined || n <= f.max, `${L}不能大于${f.max}`),
        );
    case 'date':
      return z.string({ error: `${L}应为日期` }).refine(isCivilDate, `${L}应为有效日期，如 2026-01-31`);
    case 'selection': {
      const values = (f.options ?? []).map((o) => o.value);
      return z.string({ error: `请选择${L}` }).refine((v) => values.includes(v), `请从列表中选择${L}`);
    }
    case 'id_number':
      return z.string({ error: `${L}应为文字` }).transform((s, ctx) => {
        const r = normaliseIdNumber(s);
        if (r.ok) return r.value;
        ctx.addIssue({ code: 'custom', message: `${L}${r.message}` });
        return z.NEVER;
      });
    case 'phone':
      return z.string({ error: `${L}应为文字` }).transform((s, ctx) => {
        const r = normaliseMobile(s);
        if (r.ok) return r.value;
        ctx.addIssue({ code: 'custom', message: `${L}${r.message}` });
        return z.NEVER;
      });
    case 'plate':
      return z.string({ error: `${L}应为文字` }).transform((s, ctx) => {
        const r = normalisePlateNo(s);
        if (r.ok) return r.value;
        ctx.addIssue({ code: 'custom', message: `${L}：${r.message}` });
        return z.NEVER;
      });
    case 'file': {
      const max = f.maxFiles ?? FILES_MAX_DEFAULT;
      return z
        .array(z.number({ error: `${L}的附件编号不正确` }).int().positive().max(Number.MAX_SAFE_INTEGER), { error: `${L}应为附件列表` })
        .max(100, `${L}最多${max}个文件`)
        .transform((ids) => [...new Set(ids)])
        .pipe(z.array(z.number()).max(max, `${L}最多${max}个文件`));
    }
  }
}

/**
 * The zod schema for a form: an object of the defined keys only (an unknown key is an error
 * naming it), required fields present and non-blank, optional blanks dropped.
 */
export function buildAnswersSchema(fields: readonly FormFieldDef[]): z.ZodType<Record<string, unknown>> {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  return z.record(z.string(), z.unknown(), { error: '申请表应为对象' }).transform((input, ctx) => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(input)) {
      if (!byKey.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: `申请表中没有“${key}”这一项` });
    }
    for (const f of fields) {
      const v = input[f.key];
      if (isBlank(v)) {
        if (f.required) ctx.addIssue({ code: 'custom', path: [f.key], message: f.kind === 'file' ? `请上传${f.label}` : f.kind === 'selection' ? `请选择${f.label}` : `请填写${f.label}` });
        continue;
      }
      const r = fieldSchema(f).safeParse(v);
      if (r.success) out[f.key] = r.data;
      else for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: [f.key], message: issue.message });
    }
    return out;
  });
}

export type AnswersResult = { ok: true; answers: Record<string, unknown>; fileIds: number[] } | { ok: false; issues: FieldIssue[] };

/** Validate answers against a form; on success also the attachment ids the file fields name. */
export function validateAnswers(fields: readonly FormFieldDef[], input: unknown): AnswersResult {
  const r = buildAnswersSchema(fields).safeParse(input);
  if (!r.success) return { ok: false, issues: r.error.issues.slice(0, 40).map((i) => ({ path: i.path.map(String).join('.') || 'answers', message: i.message })) };
  const fileIds = fields.filter((f) => f.kind === 'file').flatMap((f) => (r.data[f.key] as number[] | undefined) ?? []);
  return { ok: true, answers: r.data, fileIds };
}

/** How an answer appears where personal data must be masked (lists). */
export function maskAnswer(kind: FieldKind, value: unknown): string {
  const s = Array.isArray(value) ? `${value.length}个文件` : String(value ?? '');
  switch (kind) {
    case 'id_number':
      return maskIdNumber(s);
    case 'phone':
      return maskMobile(s);
    case 'plate':
      return maskPlateNo(s);
    default:
      return s;
  }
}
