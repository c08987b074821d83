import { describe, expect, it } from 'vitest';
import type { FormFieldDef } from '../../../db/schema';
import { APPLICATION_TYPE_SEED } from '../../../db/seed/application-types';
import { formSchemaSchema, maskAnswer, validateAnswers } from '../../../server/applications/form-schema';
import { idNumberCheckChar, maskIdNumber, maskMobile, normaliseIdNumber, normaliseMobile } from '../../../server/applications/id-number';

const field = (f: Partial<FormFieldDef> & Pick<FormFieldDef, 'kind'>): FormFieldDef => ({ key: 'v', label: '字段', required: true, ...f });

/** One field, one answer: the stored value or the messages for the field. */
function check(f: FormFieldDef, value: unknown) {
  const r = validateAnswers([f], value === undefined ? {} : { [f.key]: value });
  return r.ok ? { ok: true as const, value: r.answers[f.key] } : { ok: false as const, paths: r.issues.map((i) => i.path), messages: r.issues.map((i) => i.message) };
}

describe('resident ID numbers', () => {
  it('accepts the GB 11643 example and computes its check character', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(normaliseIdNumber(' 11010519491231002x ')).toEqual({ ok: true, value: '11010519491231002X' });
  });

  it('refuses a wrong check digit, an impossible birth date and a wrong length, each with its own message', () => {
    const bad = normaliseIdNumber('110105194912310021');
    expect(bad).toMatchObject({ ok: false, message: expect.stringContaining('校验位') });
    const first17 = '11010519490231002'; // 31 February
    expect(normaliseIdNumber(first17 + idNumberCheckChar(first17))).toMatchObject({ ok: false, message: expect.stringContaining('出生日期') });
    expect(normaliseIdNumber('11010519491231')).toMatchObject({ ok: false, message: expect.stringContaining('18位') });
  });

  it('masks all but the area code and the last four', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });
});

describe('mobile numbers', () => {
  it('normalises +86, spaces and dashes; refuses landlines and short numbers', () => {
    expect(normaliseMobile('+86 138-0013-8000')).toEqual({ ok: true, value: '13800138000' });
    expect(normaliseMobile('0755-12345678').ok).toBe(false);
    expect(normaliseMobile('1380013800').ok).toBe(false);
    expect(normaliseMobile('12800138000').ok).toBe(false);
    expect(maskMobile('13800138000')).toBe('138****8000');
  });
});

describe('answers against a form: each kind valid and invalid', () => {
  const cases: { name: string; field: FormFieldDef; value: unknown; ok: boolean; stored?: unknown; message?: string }[] = [
    { name: 'text trimmed', field: field({ kind: 'text', label: '姓名', maxLength: 5 }), value: '  张三 ', ok: true, stored: '张三' },
    { name: 'text too long (characters, not bytes)', field: field({ kind: 'text', label: '姓名', maxLength: 3 }), value: '欧阳小明', ok: false, message: '姓名最多3个字' },
    { name: 'text too short', field: field({ kind: 'text', label: '邮编', minLength: 6, maxLength: 6 }), value: '5180', ok: false, message: '邮编至少6个字' },
    { name: 'text not a string', field: field({ kind: 'text', label: '姓名' }), value: 12, ok: false, message: '姓名应为文字' },
    { name: 'text default limit 200', field: field({ kind: 'text', label: '说明' }), value: 'x'.repeat(201), ok: false, message: '说明最多200个字' },
    { name: 'text control characters', field: field({ kind: 'text', label: '说明' }), value: 'a\u0007b', ok: false, message: '说明含有不可见的控制字符' },
    { name: 'number', field: field({ kind: 'number', label: '里程', min: 0, max: 100 }), value: 42, ok: true, stored: 42 },
    { name: 'number from a numeric string', field: field({ kind: 'number', label: '里程' }), value: '12.5', ok: true, stored: 12.5 },
    { name: 'number above max', field: field({ kind: 'number', label: '里程', max: 100 }), value: 101, ok: false, message: '里程不能大于100' },
    { name: 'number below min', field: field({ kind: 'number', label: '里程', min: 0 }), value: -1, ok: false, message: '里程不能小于0' },
    { name: 'number not integer', field: field({ kind: 'number', label: '里程', integer: true }), value: 1.5, ok: false, message: '里程应为整数' },
    { name: 'number garbage', field: field({ kind: 'number', label: '里程' }), value: '12abc', ok: false, message: '里程应为数字' },
    { name: 'date', field: field({ kind: 'date', label: '有效期' }), value: '2026-02-28', ok: true, stored: '2026-02-28' },
    { name: 'date impossible', field: field({ kind: 'date', label: '有效期' }), value: '2026-02-30', ok: false, message: '有效期应为有效日期，如 2026-01-31' },
    { name: 'selection', field: field({ kind: 'selection', label: '车型', options: [{ value: 'C1', label: 'C1' }] }), value: 'C1', ok: true, stored: 'C1' },
    { name: 'selection not an option', field: field({ kind: 'selection', label: '车型', options: [{ value: 'C1', label: 'C1' }] }), value: 'Z9', ok: false, message: '请从列表中选择车型' },
    { name: 'id number', field: field({ kind: 'id_number', label: '身份证号码' }), value: '11010519491231002x', ok: true, stored: '11010519491231002X' },
    { name: 'id number checksum', field: field({ kind: 'id_number', label: '身份证号码' }), value: '110105194912310021', ok: false, message: '身份证号码校验位不正确，请核对' },
    { name: 'phone', field: field({ kind: 'phone', label: '手机号码' }), value: '138 0013 8000', ok: true, stored: '13800138000' },
    { name: 'phone invalid', field: field({ kind: 'phone', label: '手机号码' }), value: '010-12345678', ok: false, message: '手机号码应为11位中国大陆手机号码' },
    { name: 'plate normalised', field: field({ kind: 'plate', label: '号牌号码' }), value: '粤b 12345', ok: true, stored: '粤B12345' },
    { name: 'plate new energy', field: field({ kind: 'plate', label: '号牌号码' }), value: '粤BD12345', ok: true, stored: '粤BD12345' },
    { name: 'plate with O in serial', field: field({ kind: 'plate', label: '号牌号码' }), value: '粤B1234O', ok: false, message: '号牌号码：号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0' },
    { name: 'file ids (duplicates dropped)', field: field({ kind: 'file', label: '照片', maxFiles: 2 }), value: [3, 3, 4], ok: true, stored: [3, 4] },
    { name: 'file too many', field: field({ kind: 'file', label: '照片', maxFiles: 1 }), value: [3, 4], ok: false, message: '照片最多1个文件' },
    { name: 'file not ids', field: field({ kind: 'file', label: '照片' }), value: ['a'], ok: false, message: '照片的附件编号不正确' },
    { name: 'required missing', field: field({ kind: 'text', label: '姓名' }), value: undefined, ok: false, message: '请填写姓名' },
    { name: 'required blank', field: field({ kind: 'text', label: '姓名' }), value: '   ', ok: false, message: '请填写姓名' },
    { name: 'required file empty', field: field({ kind: 'file', label: '照片' }), value: [], ok: false, message: '请上传照片' },
    { name: 'required selection', field: field({ kind: 'selection', label: '车型', options: [{ value: 'C1', label: 'C1' }] }), value: null, ok: false, message: '请选择车型' },
    { name: 'optional blank dropped', field: field({ kind: 'phone', label: '手机号码', required: false }), value: '', ok: true, stored: undefined },
  ];

  it.each(cases)('$name', (c) => {
    const r = check(c.field, c.value);
    expect(r.ok).toBe(c.ok);
    if (r.ok) expect(r.value).toEqual(c.stored);
    else {
      expect(r.paths).toEqual(['v']); // the field is named by its key
      expect(r.messages).toContain(c.message);
    }
  });

  it('names an unknown key and every bad field at once', () => {
    const r = validateAnswers([field({ key: 'name', kind: 'text', label: '姓名' }), field({ key: 'phone', kind: 'phone', label: '手机号码' })], { phone: '123', extra: 'x' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['extra', 'name', 'phone']);
  });

  it('refuses answers that are not an object', () => {
    expect(validateAnswers([field({ kind: 'text' })], ['x']).ok).toBe(false);
    expect(validateAnswers([field({ kind: 'text' })], 'x').ok).toBe(false);
  });

  it('collects the attachment ids of every file field', () => {
    const r = validateAnswers([field({ key: 'a', kind: 'file' }), field({ key: 'b', kind: 'file', required: false })], { a: [1, 2], b: [3] });
    expect(r).toMatchObject({ ok: true, fileIds: [1, 2, 3] });
  });

  it('masks personal kinds for lists', () => {
    expect(maskAnswer('id_number', '11010519491231002X')).toBe('110105********002X');
    expect(maskAnswer('phone', '13800138000')).toBe('138****8000');
    expect(maskAnswer('plate', '粤B12345')).not.toContain('123');
  });
});

describe('form definitions', () => {
  it('every seeded type is a valid form with real materials, limit and role', () => {
    for (const t of APPLICATION_TYPE_SEED) {
      expect(formSchemaSchema.safeParse(t.formSchema).success, t.code).toBe(true);
      expect(t.materials.length).toBeGreaterThan(0);
      expect(t.timeLimitDays).toBeGreaterThan(0);
      expect(['clerk', 'supervisor', 'admin']).toContain(t.handlingRole);
    }
  });

  it('refuses contradictory definitions', () => {
    expect(formSchemaSchema.safeParse([field({ key: 'a', kind: 'selection' })]).success).toBe(false); // no options
    expect(formSchemaSchema.safeParse([field({ key: 'a', kind: 'number', maxLength: 3 })]).success).toBe(false);
    expect(formSchemaSchema.safeParse([field({ key: 'a', kind: 'text' }), field({ key: 'a', kind: 'text' })]).success).toBe(false);
    expect(formSchemaSchema.safeParse([field({ key: 'Bad Key', kind: 'text' })]).success).toBe(false);
  });
});
