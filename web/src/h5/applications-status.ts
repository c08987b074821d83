/**
 * Words and colours of an application's states, what the citizen may still do with it, the
 * 好差评 levels, and the messages for the server's application error codes. Shared by the H5
 * pages and the admin queue (which imports this file), so both name a state the same way.
 */
import { ApiError } from '../common/api';
// state-machine.ts has only type imports, so its values may be bundled; schema.ts (zod, drizzle)
// may only be imported as types, so the two lists below repeat it (a test keeps them equal).
import { STATUS_LABELS } from '../../../server/applications/state-machine';
import type { ApplicationStatus, RatingStage } from '../../../server/applications/schema';

export type { ApplicationStatus, RatingStage };

export const APPLICATION_STATUSES: readonly ApplicationStatus[] = [
  'submitted',
  'accepted',
  'in_review',
  'needs_info',
  'approved',
  'rejected',
  'completed',
  'withdrawn',
];

/** The server's own words for each state (server/applications/state-machine.ts). */
export const STATUS_TEXT: Record<ApplicationStatus, string> = STATUS_LABELS;

/** Vant tag types (H5). */
export const STATUS_TAG: Record<ApplicationStatus, 'primary' | 'success' | 'warning' | 'danger' | 'default'> = {
  submitted: 'primary',
  accepted: 'primary',
  in_review: 'primary',
  needs_info: 'warning',
  approved: 'success',
  rejected: 'danger',
  completed: 'success',
  withdrawn: 'default',
};

/** Element Plus tag types (admin). */
export const STATUS_EL_TAG: Record<ApplicationStatus, 'primary' | 'success' | 'warning' | 'danger' | 'info'> = {
  submitted: 'warning',
  accepted: 'primary',
  in_review: 'primary',
  needs_info: 'warning',
  approved: 'success',
  rejected: 'danger',
  completed: 'info',
  withdrawn: 'info',
};

export const statusText = (s: string): string => STATUS_TEXT[s as ApplicationStatus] ?? s;

/** What the citizen is waiting for, in one sentence. */
export const STATUS_HINT: Record<ApplicationStatus, string> = {
  submitted: '申请已提交，等待工作人员受理。',
  accepted: '申请已受理，即将进入办理。',
  in_review: '工作人员正在办理您的申请。',
  needs_info: '需要补正：请按工作人员的说明修改后重新提交。',
  approved: '申请已审核通过，等待办结。',
  rejected: '申请未通过，原因见办理进度。',
  completed: '申请已办结。',
  withdrawn: '您已撤回该申请。',
};

// ---- 好差评 ----

export const RATING_STAGES: readonly RatingStage[] = ['accepted', 'completed'];

/** The five official levels (REFERENCE.md 好差评), best first. */
export const RATING_LEVELS: readonly { score: 1 | 2 | 3 | 4 | 5; label: string }[] = [
  { score: 5, label: '非常满意' },
  { score: 4, label: '满意' },
  { score: 3, label: '基本满意' },
  { score: 2, label: '不满意' },
  { score: 1, label: '非常不满意' },
];

export const ratingLabel = (score: number) => RATING_LEVELS.find((l) => l.score === score)?.label ?? `${score} 分`;

export const RATING_STAGE_TEXT: Record<RatingStage, string> = { accepted: '受理环节', completed: '办结环节' };

/** A bad rating (1–2) opens a follow-up; the comment box asks what went wrong. */
export const isBadScore = (score: number) => score <= 2;

// ---- time ----

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-23 14:05` in Asia/Shanghai, whatever the phone's zone. */
export function formatShanghai(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t + SHANGHAI_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** `2026年11月23日` for a civil date or an instant (promised completion dates). */
export function formatDay(value: string | null | undefined): string {
  if (!value) return '';
  const civil = /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : formatShanghai(value).slice(0, 10);
  const [y, m, d] = civil.split('-').map(Number);
  return y && m && d ? `${y}年${m}月${d}日` : value;
}

// ---- errors ----

/** Plain Chinese for the application rules the server enforces, saying what to do next. */
export const APPLICATION_ERROR_TEXT: Record<string, string> = {
  APPLICATION_NOT_FOUND: '未找到该申请，请从“我的办件”重新进入。',
  APPLICATION_TYPE_NOT_FOUND: '该申请事项已停止受理，请重新选择。',
  APPLICATION_ANSWERS_INVALID: '申请表有几项需要修改，请按红字提示更正。',
  APPLICATION_TRANSITION_NOT_ALLOWED: '申请状态已经变化，不能进行此操作。已为您刷新为最新进度。',
  APPLICATION_RATING_NOT_OPEN: '该环节现在还不能评价。',
  APPLICATION_ALREADY_RATED: '这一环节您已经评价过了，每个环节只能评价一次。',
  ATTACHMENT_NOT_FOUND: '有附件已失效，请删除后重新上传。',
  ATTACHMENT_TOO_LARGE: '文件太大，请压缩或重新拍摄后上传。',
  ATTACHMENT_TYPE_NOT_ALLOWED: '文件内容不是 JPG、PNG 或 PDF，请换一个文件上传。',
  ATTACHMENT_EMPTY: '这是一个空文件，请重新选择。',
  PAYLOAD_TOO_LARGE: '文件太大，请压缩或重新拍摄后上传。',
  RATE_LIMITED: '操作太频繁，请稍后再试。',
};

/** Codes after which the page reloads the application (its state moved on meanwhile). */
export const RELOAD_CODES: ReadonlySet<string> = new Set(['APPLICATION_TRANSITION_NOT_ALLOWED', 'APPLICATION_ALREADY_RATED', 'APPLICATION_RATING_NOT_OPEN']);

export const errorCode = (err: unknown): string => (err instanceof ApiError ? err.code : 'UNKNOWN');

export function applicationErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return '出现了意外错误，请稍后重试。';
  const text = APPLICATION_ERROR_TEXT[err.code];
  if (text) return text;
  return err.requestId ? `${err.message}（编号 ${err.requestId}）` : err.message;
}
