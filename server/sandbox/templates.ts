import { beijingDay } from './clock';
import type { TemplateCard } from './types';
import { isRecord, str, WxError } from './wire';

/**
 * The account's private templates and the send-time rules (PROTOCOL §7). The portal uses
 * these template ids in sandbox mode; `/cgi-bin/template/get_all_private_template` lists them.
 */
export interface SandboxTemplate {
  template_id: string;
  title: string;
  primary_industry: string;
  deputy_industry: string;
  content: string;
  example: string;
}

/** 43 URL-safe characters, like real template ids. */
const tid = (name: string) => `SbxTpl_${name}`.padEnd(43, '0');

export const SANDBOX_TEMPLATES: readonly SandboxTemplate[] = [
  {
    template_id: tid('ApplicationStatus'),
    title: '业务办理进度通知',
    primary_industry: '政府相关',
    deputy_industry: '公共服务',
    content: '办理事项：{{thing1.DATA}}\n受理编号：{{character_string2.DATA}}\n办理状态：{{phrase3.DATA}}\n更新时间：{{time4.DATA}}',
    example: '办理事项：机动车检验合格标志核发\n受理编号：JG20240501001\n办理状态：已受理\n更新时间：2024年5月1日 10:00',
  },
  {
    template_id: tid('AppointmentConfirmed'),
    title: '预约成功通知',
    primary_industry: '政府相关',
    deputy_industry: '公共服务',
    content: '预约业务：{{thing1.DATA}}\n办理地点：{{thing2.DATA}}\n预约时间：{{time3.DATA}}\n预约号：{{character_string4.DATA}}',
    example: '预约业务：驾驶证换证\n办理地点：市车管所第一服务大厅\n预约时间：2024年5月6日 09:00-10:00\n预约号：A0012',
  },
  {
    template_id: tid('AppointmentReminder'),
    title: '预约办理提醒',
    primary_industry: '政府相关',
    deputy_industry: '公共服务',
    content: '预约业务：{{thing1.DATA}}\n办理地点：{{thing2.DATA}}\n预约时间：{{time3.DATA}}\n温馨提示：{{thing4.DATA}}',
    example: '预约业务：驾驶证换证\n办理地点：市车管所第一服务大厅\n预约时间：2024年5月6日 09:00\n温馨提示：请携带身份证原件',
  },
  {
    template_id: tid('AppointmentCancelled'),
    title: '预约取消通知',
    primary_industry: '政府相关',
    deputy_industry: '公共服务',
    content: '预约业务：{{thing1.DATA}}\n办理地点：{{thing2.DATA}}\n预约时间：{{time3.DATA}}\n预约号：{{character_string4.DATA}}',
    example: '预约业务：驾驶证换证\n办理地点：市车管所第一服务大厅\n预约时间：2024年5月6日 09:00-10:00\n预约号：A0012',
  },
  {
    template_id: tid('ViolationNotice'),
    title: '交通违法提醒',
    primary_industry: '政府相关',
    deputy_industry: '公共服务',
    content: '车牌号码：{{car_number1.DATA}}\n违法时间：{{time2.DATA}}\n违法地点：{{thing3.DATA}}\n违法行为：{{thing4.DATA}}',
    example: '车牌号码：示A12345\n违法时间：2024年5月1日 08:12\n违法地点：人民路与解放路交叉口\n违法行为：不按导向车道行驶',
  },
  {
    template_id: tid('ServiceRating'),
    title: '服务评价邀请',
    primary_industry: '政府相关',
    deputy_industry: '公共服务',
    content: '服务事项：{{thing1.DATA}}\n办结时间：{{time2.DATA}}',
    example: '服务事项：机动车注册登记\n办结时间：2024年5月6日 10:20',
  },
  {
    // A pre-2023 template: first/remark still accepted but no longer shown.
    template_id: tid('LegacyAccepted'),
    title: '业务受理通知',
    primary_industry: '政府相关',
    deputy_industry: '公共服务',
    content: '{{first.DATA}}\n业务类型：{{keyword1.DATA}}\n受理时间：{{keyword2.DATA}}\n{{remark.DATA}}',
    example: '您好，您的业务已受理\n业务类型：补领驾驶证\n受理时间：2024年5月1日\n感谢您的使用',
  },
];

/** Keyword value limits by name prefix (category templates; WxJava's table), 20 otherwise. */
const LIMITS: [string, number][] = [
  ['character_string', 32],
  ['phone_number', 17],
  ['car_number', 8],
  ['thing', 20],
  ['const', 20],
];
const DEFAULT_LIMIT = 20;
const HIDDEN_KEYS = new Set(['first', 'remark']);
const EMOJI = /\p{Extended_Pictographic}\uFE0F?/gu;

export const DEFAULT_TEMPLATE_DAILY_QUOTA = 100_000;
const DEDUPE_MS = 10 * 60_000;

/** The keyword rows of a template, in content order: `label：{{key.DATA}}`. */
export function templateFields(t: SandboxTemplate): { key: string; label: string }[] {
  const out: { key: string; label: string }[] = [];
  for (const line of t.content.split('\n')) {
    const m = /^(.*?)[：:]?\s*\{\{(\w+)\.DATA\}\}\s*$/.exec(line.trim());
    if (m?.[2]) out.push({ key: m[2], label: (m[1] ?? '').trim() });
  }
  return out;
}

export interface TemplateSendInput {
  touser: string;
  templateId: string;
  clientMsgId?: string;
  card: Omit<TemplateCard, 'msgid'>;
}

export interface TemplateService {
  list(): SandboxTemplate[];
  /** Field checks (40037, 47001, 47003); recipient checks are the caller's. */
  prepare(body: Record<string, unknown>): TemplateSendInput;
  /** 45009 when the daily quota is used up (or the fault forces it); counts the send. */
  consumeQuota(exhausted: boolean): void;
  /** A repeat of (openid, client_msg_id) within 10 minutes: the earlier msgid. */
  duplicateOf(openid: string, clientMsgId: string | undefined): string | undefined;
  remember(openid: string, clientMsgId: string | undefined, msgid: string): void;
  reset(): void;
}

export function createTemplateService(deps: { now: () => number; dailyQuota?: number }): TemplateService {
  const templates = new Map(SANDBOX_TEMPLATES.map((t) => [t.template_id, t]));
  // The rows of each template, worked out once rather than from its content on every send.
  const shownFields = new Map(SANDBOX_TEMPLATES.map((t) => [t.template_id, templateFields(t).filter((f) => !HIDDEN_KEYS.has(f.key))]));
  const quota = deps.dailyQuota ?? DEFAULT_TEMPLATE_DAILY_QUOTA;
  let used = { day: -1, count: 0 };
  let recent = new Map<string, { msgid: string; at: number }>();

  function displayValue(key: string, raw: unknown): string {
    if (!isRecord(raw)) throw new WxError(47001, `hint: [data.${key} must be an object]`);
    const value = str(raw.value);
    if (value === undefined) throw new WxError(47001, `hint: [data.${key}.value must be a string]`);
    // Since 2023-05-04 colours and emoji are dropped and values may not break lines: stripped, not refused.
    const shown = value.replace(/[\r\n]+/g, '').replace(EMOJI, '');
    const limit = LIMITS.find(([prefix]) => key.startsWith(prefix))?.[1] ?? DEFAULT_LIMIT;
    if ([...shown].length > limit) throw new WxError(47003, `data.${key}.value invalid`);
    return shown;
  }

  return {
    list: () => [...templates.values()],
    prepare(body) {
      const touser = str(body.touser);
      if (!touser) throw new WxError(40003);
      const templateId = str(body.template_id);
      const template = templateId ? templates.get(templateId) : undefined;
      if (!templateId || !template) throw new WxError(40037);
      const data = body.data ?? {};
      if (!isRecord(data)) throw new WxError(47001, 'hint: [data must be an object]');
      const values = new Map<string, string>();
      for (const [key, raw] of Object.entries(data)) {
        if (HIDDEN_KEYS.has(key)) continue;
        values.set(key, displayValue(key, raw));
      }
      const url = str(body.url);
      const mp = isRecord(body.miniprogram) ? { appid: str(body.miniprogram.appid) ?? '', pagepath: str(body.miniprogram.pagepath) ?? '' } : undefined;
      const rows = (shownFields.get(templateId) ?? []).map((f) => ({ ...f, value: values.get(f.key) ?? '' }));
      return {
        touser,
        templateId,
        clientMsgId: str(body.client_msg_id) || undefined,
        card: { templateId, title: template.title, rows, ...(url ? { url } : {}), ...(mp?.appid ? { miniprogram: mp } : {}) },
      };
    },
    consumeQuota(exhausted) {
      const day = beijingDay(deps.now());
      if (used.day !== day) used = { day, count: 0 };
      if (exhausted || used.count >= quota) throw new WxError(45009);
      used.count++;
    },
    duplicateOf(openid, clientMsgId) {
      if (!clientMsgId) return undefined;
      const hit = recent.get(`${openid}|${clientMsgId}`);
      return hit && deps.now() - hit.at < DEDUPE_MS ? hit.msgid : undefined;
    },
    remember(openid, clientMsgId, msgid) {
      if (!clientMsgId) return;
      const t = deps.now();
      // Oldest first (insertion order): stop at the first live entry, or a busy day costs O(n) per send.
      for (const [k, v] of recent) {
        if (t - v.at < DEDUPE_MS) break;
        recent.delete(k);
      }
      const key = `${openid}|${clientMsgId}`;
      recent.delete(key); // re-inserted at the end, so the order stays oldest first
      recent.set(key, { msgid, at: t });
    },
    reset() {
      used = { day: -1, count: 0 };
      recent = new Map();
    },
  };
}
