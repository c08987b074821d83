/** API and labels of the 自动回复 page (rules: server/auto-reply). */
import { adminDelete, adminGet, adminPost, adminPut } from '../../api';
import type { AutoReplyRuleDto } from '../../../../../server/auto-reply/schema';

export type { AutoReplyRuleDto };

export const TRIGGER_LABELS: Record<AutoReplyRuleDto['trigger'], string> = {
  keyword: '关键词',
  subscribe: '关注时',
  click: '菜单点击（key）',
  default: '默认回复',
};
export const MATCH_LABELS: Record<NonNullable<AutoReplyRuleDto['matchType']>, string> = { exact: '完全匹配', contains: '包含', regex: '正则表达式' };

/** What the form edits: text replies only (other reply kinds are kept as they are). */
export interface RuleForm {
  trigger: AutoReplyRuleDto['trigger'];
  matchType: NonNullable<AutoReplyRuleDto['matchType']>;
  pattern: string;
  priority: number;
  enabled: boolean;
  text: string;
  note: string;
}

export const emptyForm = (): RuleForm => ({ trigger: 'keyword', matchType: 'contains', pattern: '', priority: 0, enabled: true, text: '', note: '' });

export function formOf(r: AutoReplyRuleDto): RuleForm {
  return {
    trigger: r.trigger,
    matchType: r.matchType ?? 'contains',
    pattern: r.pattern ?? '',
    priority: r.priority,
    enabled: r.enabled,
    text: r.reply.type === 'text' ? r.reply.content : '',
    note: r.note ?? '',
  };
}

/** The request body: pattern fields only where the trigger has them. */
export function bodyOf(f: RuleForm, keep?: AutoReplyRuleDto): Record<string, unknown> {
  const reply = keep && keep.reply.type !== 'text' ? keep.reply : { type: 'text', content: f.text };
  const out: Record<string, unknown> = { trigger: f.trigger, priority: f.priority, enabled: f.enabled, reply };
  if (f.trigger === 'keyword') Object.assign(out, { matchType: f.matchType, pattern: f.pattern });
  if (f.trigger === 'click') out.pattern = f.pattern;
  if (f.note.trim()) out.note = f.note.trim();
  return out;
}

/** How a rule is named to a screen reader and in confirmations: 关键词“办事指南”, 默认回复 … */
export function ruleName(r: AutoReplyRuleDto): string {
  return `${TRIGGER_LABELS[r.trigger]}${r.pattern ? `“${r.pattern}”` : ''}`;
}

export function replySummary(r: AutoReplyRuleDto): string {
  return r.reply.type === 'text' ? r.reply.content : `[${r.reply.type}]`;
}

const BASE = '/api/admin/auto-replies';
export const autoReplyApi = {
  list: () => adminGet<AutoReplyRuleDto[]>(BASE),
  create: (body: Record<string, unknown>) => adminPost<AutoReplyRuleDto>(BASE, body),
  update: (id: number, body: Record<string, unknown>) => adminPut<AutoReplyRuleDto>(`${BASE}/${id}`, body),
  setEnabled: (id: number, enabled: boolean) => adminPut<AutoReplyRuleDto>(`${BASE}/${id}/enabled`, { enabled }),
  remove: (id: number) => adminDelete(`${BASE}/${id}`),
};
