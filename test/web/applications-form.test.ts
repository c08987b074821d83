import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import {
  FIELD_KINDS,
  FILES_MAX_DEFAULT,
  TEXT_MAX_DEFAULT,
  answersFromStored,
  answersWithUploads,
  checkField,
  checkFile,
  controlFor,
  firstErrorField,
  formErrorsFromApi,
  formatBytes,
  reviewValue,
  uploadLimitsFrom,
  uploadsPending,
  validateForm,
  DEFAULT_UPLOAD_LIMITS,
  type FieldSpec,
  type UploadItem,
} from '../../web/src/h5/applications-form';
import * as serverForm from '../../server/applications/form-schema';
import type { FormFieldDef } from '../../db/schema';

const f = (kind: FieldSpec['kind'], extra: Partial<FieldSpec> = {}): FieldSpec => ({ key: kind, label: `L${kind}`, kind, required: true, ...extra });
const CLASSES = [
  { value: 'C1', label: 'C1 小型汽车' },
  { value: 'C2', label: 'C2 小型自动挡汽车' },
];
const MANY = Array.from({ length: 8 }, (_, i) => ({ value: `v${i}`, label: `选项${i}` }));

describe('field kind → control', () => {
  it('gives each kind its control and keyboard', () => {
    expect(controlFor(f('text', { maxLength: 30 }))).toMatchObject({ control: 'input', inputType: 'text', maxlength: 30 });
    expect(controlFor(f('number', { integer: true }))).toMatchObject({ control: 'input', inputmode: 'numeric' });
    expect(controlFor(f('number'))).toMatchObject({ control: 'input', inputmode: 'decimal' });
    expect(controlFor(f('date'))).toMatchObject({ control: 'date' });
    expect(controlFor(f('selection', { options: CLASSES }))).toMatchObject({ control: 'radio' });
    expect(controlFor(f('selection', { options: MANY }))).toMatchObject({ control: 'select' });
    expect(controlFor(f('id_number'))).toMatchObject({ control: 'input', maxlength: 18, upperCase: true });
    expect(controlFor(f('phone'))).toMatchObject({ control: 'input', inputType: 'tel', inputmode: 'tel', maxlength: 11, autocomplete: 'tel' });
    expect(controlFor(f('plate'))).toMatchObject({ control: 'input', upperCase: true });
    expect(controlFor(f('file'))).toMatchObject({ control: 'uploader' });
  });
  it('shows a number range as the placeholder', () => {
    expect(controlFor(f('number', { min: 1, max: 9 })).placeholder).toBe('1–9');
  });
});

describe('client checks agree with the server’s form rules', () => {
  it('knows the same field kinds and uses the server’s defaults', () => {
    expect([...FIELD_KINDS]).toEqual([...serverForm.FIELD_KINDS]);
    expect(TEXT_MAX_DEFAULT).toBe(serverForm.TEXT_MAX_DEFAULT);
    expect(FILES_MAX_DEFAULT).toBe(serverForm.FILES_MAX_DEFAULT);
  });

  // [field, raw answer]: both sides must accept or refuse it, with the same message.
  const cases: [FieldSpec, string | number[]][] = [
    [f('text', { maxLength: 5 }), '张三'],
    [f('text', { maxLength: 5 }), '一二三四五六'],
    [f('text', { minLength: 3 }), '张三'],
    [f('text'), 'x'.repeat(TEXT_MAX_DEFAULT + 1)],
    [f('text'), 'a\u0001b'],
    [f('text'), '   '],
    [f('text', { required: false }), ''],
    [f('number', { integer: true, min: 1, max: 10 }), '5'],
    [f('number', { integer: true }), '2.5'],
    [f('number', { min: 1 }), '0'],
    [f('number', { max: 10 }), '11'],
    [f('number'), '12abc'],
    [f('number'), '3.25'],
    [f('date'), '2026-02-28'],
    [f('date'), '2026-02-29'],
    [f('date'), '2026/01/01'],
    [f('selection', { options: CLASSES }), 'C1'],
    [f('selection', { options: CLASSES }), 'Z9'],
    [f('selection', { options: CLASSES }), ''],
    [f('id_number'), '11010519491231002X'],
    [f('id_number'), '11010519491231002x'],
    [f('id_number'), '110105194912310021'],
    [f('id_number'), '110105194902300023'],
    [f('id_number'), '12345'],
    [f('phone'), '13800138000'],
    [f('phone'), '+86 138-0013-8000'],
    [f('phone'), '12800138000'],
    [f('plate'), '粤b12345'],
    [f('plate'), '粤B1234'],
    [f('plate'), 'XB12345'],
    [f('file', { maxFiles: 2 }), [1, 2]],
    [f('file', { maxFiles: 2 }), [1, 2, 3]],
    [f('file'), []],
    [f('file', { required: false }), []],
  ];

  it.each(cases.map(([field, raw]) => [field.kind, JSON.stringify(raw), field, raw] as const))('%s %s', (_k, _r, field, raw) => {
    const client = checkField(field, raw);
    const server = serverForm.validateAnswers([field as FormFieldDef], { [field.key]: raw });
    expect(client.ok).toBe(server.ok);
    if (!client.ok && !server.ok) expect(client.message).toBe(server.issues[0]!.message);
    // a blank optional answer: the client holds '' or [], the server leaves the key out
    const blank = client.ok && (client.value === '' || (Array.isArray(client.value) && client.value.length === 0));
    if (client.ok && server.ok) expect(blank ? undefined : client.value).toEqual(server.answers[field.key]);
  });

  it('says what to fix in the field’s own words', () => {
    expect(checkField(f('id_number', { label: '身份证号码' }), '110105194912310021')).toEqual({ ok: false, message: '身份证号码校验位不正确，请核对' });
    expect(checkField(f('selection', { label: '准驾车型', options: CLASSES }), '')).toEqual({ ok: false, message: '请选择准驾车型' });
    expect(checkField(f('file', { label: '照片' }), [])).toEqual({ ok: false, message: '请上传照片' });
  });
});

describe('the whole form', () => {
  const fields: FieldSpec[] = [
    { key: 'name', label: '姓名', kind: 'text', required: true, maxLength: 30 },
    { key: 'id_number', label: '身份证号码', kind: 'id_number', required: true },
    { key: 'note', label: '备注', kind: 'text', required: false },
    { key: 'photo', label: '照片', kind: 'file', required: true, maxFiles: 1 },
  ];

  it('normalises answers for submission and leaves blank optional ones out', () => {
    const r = validateForm(fields, { name: ' 张三 ', id_number: '11010519491231002x', note: '', photo: [17] });
    expect(r).toEqual({ ok: true, answers: { name: '张三', id_number: '11010519491231002X', photo: [17] } });
    // what the client sends, the server accepts unchanged
    const server = serverForm.validateAnswers(fields as FormFieldDef[], (r as { answers: unknown }).answers);
    expect(server).toMatchObject({ ok: true, fileIds: [17] });
  });

  it('collects every problem and names the first field for focus', () => {
    const r = validateForm(fields, { name: '', id_number: '1', photo: [] });
    expect(r.ok).toBe(false);
    const errors = (r as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors)).toEqual(['name', 'id_number', 'photo']);
    expect(firstErrorField(fields, errors)).toBe('name');
    expect(firstErrorField(fields, { photo: 'x' })).toBe('photo');
  });

  it('takes file answers from finished uploads only, and knows when one is still running', () => {
    const items: UploadItem[] = [
      { key: 'a', name: 'a.jpg', size: 1, status: 'done', progress: 100, attachmentId: 5 },
      { key: 'b', name: 'b.jpg', size: 1, status: 'failed', progress: 10, error: 'x' },
      { key: 'c', name: 'c.jpg', size: 1, status: 'uploading', progress: 40 },
    ];
    expect(answersWithUploads(fields, { name: 'x' }, { photo: items })).toEqual({ name: 'x', photo: [5] });
    expect(uploadsPending({ photo: items })).toBe(true);
    expect(uploadsPending({ photo: items.slice(0, 2) })).toBe(false);
  });

  it('prefills 补正 from stored answers', () => {
    expect(answersFromStored(fields, { name: '张三', id_number: '11010519491231002X', photo: [5, 'x'] })).toEqual({
      name: '张三',
      id_number: '11010519491231002X',
      note: '',
      photo: [5],
    });
  });

  it('shows the review with masked ID numbers, option labels and file names', () => {
    const names = new Map([[5, '照片.jpg']]);
    expect(reviewValue(fields[1]!, '11010519491231002X', names)).toBe('110105********002X');
    expect(reviewValue(fields[3]!, [5, 6], names)).toBe('照片.jpg、文件 6');
    expect(reviewValue(fields[2]!, '', names)).toBe('未填写');
    expect(reviewValue({ key: 's', label: 'S', kind: 'selection', required: true, options: CLASSES }, 'C2', names)).toBe('C2 小型自动挡汽车');
  });

  it('maps the server’s 400 details (path = field key) onto fields', () => {
    const err = new ApiError(400, {
      code: 'APPLICATION_ANSWERS_INVALID',
      message: '申请表填写有误',
      details: [
        { path: 'id_number', message: '身份证号码校验位不正确' },
        { path: 'photo', message: '请上传照片' },
        { path: 'unknown', message: 'ignored' },
        { path: 'id_number', message: 'second message for the same field is dropped' },
      ],
    });
    expect(formErrorsFromApi(err, fields)).toEqual({ id_number: '身份证号码校验位不正确', photo: '请上传照片' });
    expect(formErrorsFromApi(new ApiError(409, { code: 'X', message: 'x' }), fields)).toEqual({});
  });
});

describe('files are checked before upload', () => {
  it('accepts JPEG, PNG and PDF within 5 MB, by type or (when the phone gives none) by extension', () => {
    expect(checkFile({ name: 'a.jpg', size: 1000, type: 'image/jpeg' }, '照片')).toBeUndefined();
    expect(checkFile({ name: '证明.PDF', size: 1000, type: '' }, '证明')).toBeUndefined();
    expect(checkFile({ name: 'b.png', size: 5 * 1024 * 1024, type: 'image/png' }, '照片')).toBeUndefined();
  });
  it('refuses other types, empty and too big files, saying what to do', () => {
    expect(checkFile({ name: 'x.gif', size: 10, type: 'image/gif' }, '照片')).toBe('“x.gif”的格式不支持，照片请上传 JPG、PNG、PDF 文件');
    expect(checkFile({ name: 'x.heic', size: 10, type: '' }, '照片')).toContain('格式不支持');
    expect(checkFile({ name: 'x.jpg', size: 0, type: 'image/jpeg' }, '照片')).toBe('“x.jpg”是空文件，请重新选择');
    expect(checkFile({ name: 'big.jpg', size: 6 * 1024 * 1024, type: 'image/jpeg' }, '照片')).toBe(
      '“big.jpg”有 6 MB，超过 5 MB 的上限，请压缩或重新拍摄后上传',
    );
    expect(checkFile({ name: 'a.jpg', size: 2048, type: 'image/jpeg' }, '照片', { maxBytes: 1024, types: ['image/jpeg'] })).toContain('超过 1 KB');
  });
  it('uses the limit the server announces, naming it in the message', () => {
    const limits = uploadLimitsFrom({ maxBytes: 10 * 1024 * 1024, types: ['image/jpeg', 'application/pdf'] });
    expect(limits).toEqual({ maxBytes: 10 * 1024 * 1024, types: ['image/jpeg', 'application/pdf'] });
    // 6 MB is too big under the default 5 MB, fine under an announced 10 MB
    expect(checkFile({ name: 'big.jpg', size: 6 * 1024 * 1024, type: 'image/jpeg' }, '照片', limits)).toBeUndefined();
    expect(checkFile({ name: 'huge.jpg', size: 11 * 1024 * 1024, type: 'image/jpeg' }, '照片', limits)).toBe(
      '“huge.jpg”有 11 MB，超过 10 MB 的上限，请压缩或重新拍摄后上传',
    );
    expect(checkFile({ name: 'a.png', size: 10, type: 'image/png' }, '照片', limits)).toBe('“a.png”的格式不支持，照片请上传 JPG、PDF 文件');
    const small = uploadLimitsFrom({ maxBytes: 512 * 1024, types: ['image/jpeg'] });
    expect(checkFile({ name: 'b.jpg', size: 600 * 1024, type: 'image/jpeg' }, '照片', small)).toContain('超过 512 KB 的上限');
  });
  it('falls back to the defaults when the announcement is missing or malformed', () => {
    expect(uploadLimitsFrom(undefined)).toEqual(DEFAULT_UPLOAD_LIMITS);
    expect(uploadLimitsFrom({ maxBytes: '5MB', types: [] })).toEqual(DEFAULT_UPLOAD_LIMITS);
    expect(uploadLimitsFrom({ maxBytes: -1, types: 'image/png' })).toEqual(DEFAULT_UPLOAD_LIMITS);
    expect(uploadLimitsFrom({ maxBytes: 2048 })).toEqual({ maxBytes: 2048, types: DEFAULT_UPLOAD_LIMITS.types });
  });
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 字节');
    expect(formatBytes(1536)).toBe('2 KB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
  });
});
