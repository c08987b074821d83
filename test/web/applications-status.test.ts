import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import {
  APPLICATION_STATUSES,
  RATING_LEVELS,
  RATING_STAGES,
  RELOAD_CODES,
  STATUS_EL_TAG,
  STATUS_HINT,
  STATUS_TAG,
  STATUS_TEXT,
  applicationErrorText,
  formatDay,
  formatShanghai,
  isBadScore,
  ratingLabel,
  statusText,
} from '../../web/src/h5/applications-status';
import * as serverSchema from '../../server/applications/schema';
import { STATUS_LABELS } from '../../server/applications/state-machine';
import { ERRORS } from '../../server/http/errors';

describe('states and ratings match the server', () => {
  it('lists the same states and stages, in the same order', () => {
    expect([...APPLICATION_STATUSES]).toEqual([...serverSchema.APPLICATION_STATUSES]);
    expect([...RATING_STAGES]).toEqual([...serverSchema.RATING_STAGES]);
  });
  it('names every state as the server does and gives each a tag colour and a hint', () => {
    for (const s of APPLICATION_STATUSES) {
      expect(STATUS_TEXT[s]).toBe(STATUS_LABELS[s]);
      expect(STATUS_TAG[s]).toBeTruthy();
      expect(STATUS_EL_TAG[s]).toBeTruthy();
      expect(STATUS_HINT[s]).toMatch(/。$/);
    }
    expect(statusText('needs_info')).toBe('待补正');
    expect(statusText('something_new')).toBe('something_new');
  });
  it('uses the five official 好差评 levels, best first', () => {
    expect(RATING_LEVELS.map((l) => l.label)).toEqual(['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
    for (const l of RATING_LEVELS) expect(l.label).toBe(serverSchema.RATING_LABELS[l.score]);
    expect(ratingLabel(2)).toBe('不满意');
    expect([1, 2].every(isBadScore)).toBe(true);
    expect([3, 4, 5].some(isBadScore)).toBe(false);
  });
});

describe('error messages', () => {
  const err = (status: number, code: string, requestId?: string) => new ApiError(status, { code, message: `server: ${code}`, requestId });

  it('explains each application error the server defines in plain Chinese', () => {
    const codes = Object.keys(ERRORS).filter((c) => c.startsWith('APPLICATION_') && c !== 'APPLICATION_ROLE_FORBIDDEN' && c !== 'APPLICATION_REASON_REQUIRED' && c !== 'APPLICATION_ASSIGNEE_INVALID');
    expect(codes.length).toBeGreaterThan(3);
    for (const code of codes) expect(applicationErrorText(err(409, code))).not.toContain('server:');
    expect(applicationErrorText(err(409, 'APPLICATION_ALREADY_RATED'))).toBe('这一环节您已经评价过了，每个环节只能评价一次。');
  });
  it('falls back to the server message with the request id, and reloads after state races', () => {
    expect(applicationErrorText(err(500, 'INTERNAL', 'req-9'))).toBe('server: INTERNAL（编号 req-9）');
    expect(applicationErrorText(new Error('boom'))).toBe('出现了意外错误，请稍后重试。');
    expect(RELOAD_CODES.has('APPLICATION_TRANSITION_NOT_ALLOWED')).toBe(true);
  });
});

describe('times in Asia/Shanghai', () => {
  it('formats instants whatever their offset', () => {
    expect(formatShanghai('2026-11-23T01:05:00Z')).toBe('2026-11-23 09:05');
    expect(formatShanghai('2026-11-23T09:05:00+08:00')).toBe('2026-11-23 09:05');
    expect(formatShanghai('2026-11-22T16:30:00Z')).toBe('2026-11-23 00:30');
    expect(formatShanghai(null)).toBe('');
  });
  it('formats civil dates and instants as a day', () => {
    expect(formatDay('2026-11-28')).toBe('2026年11月28日');
    expect(formatDay('2026-11-27T17:00:00Z')).toBe('2026年11月28日');
  });
});
