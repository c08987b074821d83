/** Loads and presents GET /healthz and GET /readyz for the system status page. */
import { ApiError, apiGet, describeError } from '../common/api';
import type { CheckState, Health, Readiness, ReadyChecks, UsageFlusherStats } from '../common/system-types';

type Get = <T>(path: string) => Promise<T>;

export type HealthView = { ok: true; health: Health } | { ok: false; error: string };

export interface ReadinessView {
  ready: boolean;
  checks: Partial<ReadyChecks>;
  usage: UsageFlusherStats | null;
  /** Why the instance is not ready or could not be asked; null when ready. */
  error: string | null;
}

export async function loadHealth(get: Get = apiGet): Promise<HealthView> {
  try {
    return { ok: true, health: await get<Health>('/healthz') };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}

export async function loadReadiness(get: Get = apiGet): Promise<ReadinessView> {
  try {
    const r = await get<Readiness>('/readyz');
    return { ready: r.status === 'ready', checks: r.checks ?? {}, usage: r.usage ?? null, error: null };
  } catch (err) {
    // 503 NOT_READY still carries the individual checks, which are what staff need to see.
    if (err instanceof ApiError && err.code === 'NOT_READY' && isObject(err.details)) {
      const d = err.details;
      return {
        ready: false,
        checks: isObject(d.checks) ? (d.checks as Partial<ReadyChecks>) : {},
        usage: isObject(d.usage) ? (d.usage as unknown as UsageFlusherStats) : null,
        error: describeError(err),
      };
    }
    return { ready: false, checks: {}, usage: null, error: describeError(err) };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const CHECK_LABELS: Record<CheckState, string> = {
  ok: '正常',
  pending: '待执行',
  fail: '失败',
  ahead: '数据库较新',
  unknown: '未知',
  draining: '正在停止',
};

export function checkLabel(state: CheckState | undefined): string {
  return state ? CHECK_LABELS[state] : '未知';
}

export function checkTagType(state: CheckState | undefined): 'success' | 'warning' | 'danger' | 'info' {
  if (state === 'ok') return 'success';
  if (state === 'pending' || state === 'ahead' || state === 'draining') return 'warning';
  if (state === 'fail') return 'danger';
  return 'info';
}

/** `93784` → `1 天 2 小时 3 分`; under a minute shows seconds. */
export function formatUptime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  if (s < 60) return `${s} 秒`;
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return [days ? `${days} 天` : '', days || hours ? `${hours} 小时` : '', `${minutes} 分`].filter(Boolean).join(' ');
}

const shanghai = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Times are shown in Asia/Shanghai whatever the staff member's machine is set to (DESIGN §4). */
export function formatShanghaiTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? '—' : shanghai.format(date);
}
