import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import {
  EMPTY_FILTERS,
  adminErrorText,
  allowedTargets,
  answerText,
  assigneeText,
  dueText,
  fileIdsOf,
  filtersFromQuery,
  filtersToQuery,
  noteProblem,
  queueQuery,
  rowClassName,
  transitionActions,
} from '../../web/src/admin/pages/applications/application-actions';
import { dashboardCards } from '../../web/src/admin/pages/applications/dashboard-cards';
import type { ApplicationStatus } from '../../server/applications/schema';
import type { StaffRole } from '../../server/staff/roles';

const STATES: ApplicationStatus[] = ['submitted', 'accepted', 'in_review', 'needs_info', 'approved', 'rejected', 'completed', 'withdrawn'];

describe('actions offered per state and role', () => {
  // The whole table (docs/api-applications.md): every state × role, for a clerk-handled type.
  const expected: Record<ApplicationStatus, ApplicationStatus[]> = {
    submitted: ['accepted', 'rejected'],
    accepted: ['in_review'],
    in_review: ['needs_info', 'approved', 'rejected'],
    needs_info: [],
    approved: ['completed'],
    rejected: ['completed'],
    completed: [],
    withdrawn: [],
  };
  for (const role of ['clerk', 'supervisor', 'admin'] as StaffRole[]) {
    it(`${role}: every state`, () => {
      for (const s of STATES) expect(allowedTargets(s, role, 'clerk').sort()).toEqual([...expected[s]].sort());
    });
  }
  it('evaluators get no action anywhere', () => {
    for (const s of STATES) expect(allowedTargets(s, 'evaluator', 'clerk')).toEqual([]);
  });
  it('a supervisor-handled type: the clerk may not decide, the supervisor and admin may', () => {
    expect(allowedTargets('in_review', 'clerk', 'supervisor')).toEqual(['needs_info']);
    expect(allowedTargets('submitted', 'clerk', 'supervisor')).toEqual(['accepted']);
    expect(allowedTargets('in_review', 'supervisor', 'supervisor').sort()).toEqual(['approved', 'needs_info', 'rejected']);
    expect(allowedTargets('in_review', 'admin', 'supervisor').sort()).toEqual(['approved', 'needs_info', 'rejected']);
  });

  it('labels buttons by where the application is, in a fixed order, with reasons where the citizen needs one', () => {
    expect(transitionActions('submitted', ['rejected', 'accepted'])).toEqual([
      { to: 'accepted', label: '受理', kind: 'primary', reasonRequired: false },
      { to: 'rejected', label: '不予受理', kind: 'danger', reasonRequired: true },
    ]);
    expect(transitionActions('in_review', ['rejected', 'needs_info', 'approved']).map((a) => [a.label, a.reasonRequired])).toEqual([
      ['审核通过', false],
      ['要求补正', true],
      ['不予许可', true],
    ]);
    expect(transitionActions('approved', ['completed']).map((a) => a.label)).toEqual(['办结']);
    expect(transitionActions('completed', [])).toEqual([]);
  });

  it('requires a reason for 补正 and refusals, and bounds every note', () => {
    const [needsInfo] = transitionActions('in_review', ['needs_info']);
    const [approve] = transitionActions('in_review', ['approved']);
    expect(noteProblem(needsInfo!, '  ')).toContain('补正什么');
    expect(noteProblem(transitionActions('submitted', ['rejected'])[0]!, '')).toContain('原因');
    expect(noteProblem(needsInfo!, '照片背景不是白色')).toBeUndefined();
    expect(noteProblem(approve!, '')).toBeUndefined();
    expect(noteProblem(approve!, 'x'.repeat(501))).toBe('说明最多 500 个字，现在 501 个');
  });
});

describe('queue filters', () => {
  it('builds the API query without empty filters', () => {
    expect(queueQuery(EMPTY_FILTERS, 1, 20)).toEqual({ status: undefined, type: undefined, overdue: undefined, assignee: undefined, page: 1, pageSize: 20 });
    expect(queueQuery({ status: 'submitted', type: ' licence_renewal ', overdue: 'true', assignee: 'me' }, 3, 20)).toEqual({
      status: 'submitted',
      type: 'licence_renewal',
      overdue: 'true',
      assignee: 'me',
      page: 3,
      pageSize: 20,
    });
    expect(queueQuery({ ...EMPTY_FILTERS, assignee: '12' }, 1, 20).assignee).toBe('12');
    expect(queueQuery({ ...EMPTY_FILTERS, assignee: 'bob' }, 1, 20).assignee).toBeUndefined();
  });
  it('round-trips through the page URL and ignores junk there', () => {
    const f = { status: 'needs_info' as const, type: 'addr', overdue: 'false' as const, assignee: 'none' };
    expect(filtersFromQuery(filtersToQuery(f, 4))).toEqual({ filters: f, page: 4 });
    expect(filtersToQuery(EMPTY_FILTERS, 1)).toEqual({});
    expect(filtersFromQuery({ status: 'bogus', overdue: 'maybe', page: '-2', type: ['a'] })).toEqual({ filters: EMPTY_FILTERS, page: 1 });
  });
});

describe('what the rows say', () => {
  const now = Date.parse('2026-11-23T02:00:00Z'); // 10:00 on 23 Nov in Shanghai
  it('counts days to the promised date in Shanghai, and marks overdue rows', () => {
    expect(dueText({ dueOn: '2026-11-25', overdue: false, status: 'in_review' }, now)).toBe('剩 2 天');
    expect(dueText({ dueOn: '2026-11-23', overdue: false, status: 'in_review' }, now)).toBe('今天到期');
    expect(dueText({ dueOn: '2026-11-20', overdue: true, status: 'submitted' }, now)).toBe('已超期 3 天');
    expect(dueText({ dueOn: '2026-11-20', overdue: false, status: 'completed' }, now)).toBe('');
    expect(rowClassName({ row: { overdue: true } })).toBe('queue__row--overdue');
    expect(rowClassName({ row: { overdue: false } })).toBe('');
  });
  it('names the assignee', () => {
    expect(assigneeText(null, 3)).toBe('未分配');
    expect(assigneeText(3, 3)).toBe('我');
    expect(assigneeText(4, 3, new Map([[4, '王五']]))).toBe('王五');
    expect(assigneeText(5, 3)).toBe('工作人员 #5');
  });
  it('shows answers in full with selection labels, and file ids only', () => {
    const sel = { key: 'c', label: '准驾车型', kind: 'selection', options: [{ value: 'C1', label: 'C1 小型汽车' }] };
    expect(answerText(sel, 'C1')).toBe('C1 小型汽车（C1）');
    expect(answerText({ key: 'i', label: '身份证号码', kind: 'id_number' }, '11010519491231002X')).toBe('11010519491231002X');
    expect(answerText({ key: 'n', label: 'n', kind: 'text' }, undefined)).toBe('（未填写）');
    expect(fileIdsOf([3, 'x', 4])).toEqual([3, 4]);
    expect(fileIdsOf('3')).toEqual([]);
  });
  it('explains staff errors and keeps the request id', () => {
    expect(adminErrorText(new ApiError(403, { code: 'APPLICATION_ROLE_FORBIDDEN', message: 'x', requestId: 'r2' }))).toBe(
      '您的角色不能对该事项作此决定，请转交有权限的负责人。（编号 r2）',
    );
    expect(adminErrorText(new ApiError(500, { code: 'INTERNAL', message: '服务器错误' }))).toBe('服务器错误');
  });
});

describe('dashboard cards', () => {
  it('counts the queue by what staff must do, links each to its filtered list and flags late work', () => {
    const cards = dashboardCards({
      date: '2026-11-23',
      byStatus: { submitted: 3, accepted: 1, in_review: 2, needs_info: 1, approved: 2, rejected: 1, completed: 9, withdrawn: 1 },
      open: 10,
      overdue: 2,
      openFollowUps: 1,
      overdueFollowUps: 0,
      appointmentsToday: 12,
    });
    const by = Object.fromEntries(cards.map((c) => [c.key, c]));
    expect(by.submitted).toMatchObject({ count: 3, to: { path: '/applications', query: { status: 'submitted' } }, alert: false });
    expect(by.in_hand!.count).toBe(3);
    expect(by.to_finish!.count).toBe(3);
    expect(by.overdue).toMatchObject({ count: 2, alert: true, to: { query: { overdue: 'true' } } });
    expect(by.follow_ups).toMatchObject({ count: 1, alert: false, to: { path: '/follow-ups' } });
    expect(by.appointments).toMatchObject({ count: 12, to: { path: '/appointments' } });
  });
});
