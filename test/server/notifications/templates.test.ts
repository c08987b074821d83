import { describe, expect, it } from 'vitest';
import { SANDBOX_TEMPLATES } from '../../../server/sandbox';
import { beijingTime, fitValue, renderNotification, resolveTemplateIds } from '../../../server/notifications/templates';

const ids = resolveTemplateIds('sandbox', {});
const ctx = { publicBaseUrl: 'https://portal.example.gov.cn', templateIds: ids };
const queuedAt = new Date('2025-05-01T02:05:00Z');

describe('template values obey the 2023 display rules', () => {
  it('cuts thing values to 20 characters with an ellipsis and keeps them on one line', () => {
    const v = fitValue('thing1', '机动车驾驶证\n期满换证（含\r\n体检）以及其他附加的相关业务办理事项说明');
    expect([...v]).toHaveLength(20);
    expect(v).not.toMatch(/[\r\n]/);
    expect(v.endsWith('…')).toBe(true);
    expect(v.startsWith('机动车驾驶证 期满换证（含 体检）')).toBe(true);
  });

  it('per-prefix limits: character_string 32 without ellipsis, car_number 8, phrase 5; emoji removed', () => {
    expect(fitValue('character_string2', 'A'.repeat(40))).toBe('A'.repeat(32));
    expect([...fitValue('car_number1', '示A123456789')]).toHaveLength(8);
    expect([...fitValue('phrase3', '需要补充更多材料')]).toHaveLength(5);
    expect(fitValue('thing4', '已受理😀')).toBe('已受理');
    expect(fitValue('time4', '短')).toBe('短');
  });

  it('formats times in Beijing', () => {
    expect(beijingTime(new Date('2025-12-31T16:30:00Z'))).toBe('2026年1月1日 00:30');
  });

  it('an application decision: status template, fitted values, link with src=tmpl', () => {
    const r = renderNotification(
      { id: 1, kind: 'application.needs_info', queuedAt, payload: { applicationId: 42, applicationNo: 'SQ20250501000042', typeName: '机动车驾驶证期满换证及体检信息变更备案登记', reason: '请补充\n照片' } },
      ctx,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.templateId).toBe(SANDBOX_TEMPLATES.find((t) => t.title === '业务办理进度通知')!.template_id);
    expect(r.message.url).toBe('https://portal.example.gov.cn/h5/applications/42?src=tmpl&tmpl=application.needs_info');
    expect(r.message.data).toEqual({
      thing1: { value: '机动车驾驶证期满换证及体检信息变更备案…' },
      character_string2: { value: 'SQ20250501000042' },
      phrase3: { value: '需补充材料' },
      time4: { value: '2025年5月1日 10:05' },
    });
    expect(Object.keys(r.message.data)).not.toContain('first');
    expect(Object.keys(r.message.data)).not.toContain('remark');
  });

  it('an appointment reminder links to the appointment and fits the time range into 20 characters', () => {
    const r = renderNotification(
      { id: 2, kind: 'appointment.reminder', queuedAt, payload: { appointmentId: 7, serviceName: '换证', officeName: '第一大厅', startsAt: '2025-12-16T01:00:00.000Z', endsAt: '2025-12-16T01:30:00.000Z', confirmationCode: 'X' } },
      ctx,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.message.url).toBe('https://portal.example.gov.cn/h5/appointments/mine/7?src=tmpl&tmpl=appointment.reminder');
    expect(r.message.data.time3!.value).toBe('12月16日 09:00-09:30');
    for (const { value } of Object.values(r.message.data)) expect([...value].length).toBeLessThanOrEqual(20);
  });

  it('live mode without configured ids: the kind cannot render (a clear code, no send)', () => {
    const live = resolveTemplateIds('live', { applicationStatus: 'LiveTpl123' });
    expect(live).toEqual({ applicationStatus: 'LiveTpl123', appointmentBooked: undefined, appointmentReminder: undefined, appointmentCancelled: undefined });
    const r = renderNotification({ id: 3, kind: 'appointment.booked', queuedAt, payload: { appointmentId: 1, startsAt: queuedAt.toISOString() } }, { ...ctx, templateIds: live });
    expect(r).toMatchObject({ ok: false, code: 'NOTIFICATION_TEMPLATE_NOT_CONFIGURED' });
  });

  it('a payload without its id is refused rather than sent with a broken link', () => {
    expect(renderNotification({ id: 4, kind: 'application.approved', queuedAt, payload: {} }, ctx)).toMatchObject({ ok: false, code: 'NOTIFICATION_PAYLOAD_INVALID' });
  });
});
