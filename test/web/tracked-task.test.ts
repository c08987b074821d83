import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import { runTrackedTask, taskFailCode } from '../../web/src/common/usage';
import type { TaskPhase, UsageProps } from '../../web/src/common/usage-tracker';

function recorder() {
  const events: { name: string; phase: TaskPhase; props: UsageProps | undefined }[] = [];
  return { events, tracker: { trackTask: (name: string, phase: TaskPhase, props?: UsageProps) => void events.push({ name, phase, props }) } };
}

const apiError = (code: string) => new ApiError(409, { code, message: 'no' });

describe('runTrackedTask', () => {
  it('records start and complete with the start props and returns the value', async () => {
    const { events, tracker } = recorder();
    const value = await runTrackedTask(tracker, 'vehicles.bind', { from: 'vehicles' }, async () => 42);
    expect(value).toBe(42);
    expect(events).toEqual([
      { name: 'vehicles.bind', phase: 'start', props: { from: 'vehicles' } },
      { name: 'vehicles.bind', phase: 'complete', props: { from: 'vehicles' } },
    ]);
  });

  it('records fail with the start props and the API error code, and rethrows the same error', async () => {
    const { events, tracker } = recorder();
    const err = apiError('APPOINTMENT_SLOT_FULL');
    await expect(runTrackedTask(tracker, 'appointment.cancel', { service: 'x' }, () => Promise.reject(err))).rejects.toBe(err);
    expect(events.map((e) => [e.phase, e.props])).toEqual([
      ['start', { service: 'x' }],
      ['fail', { service: 'x', code: 'APPOINTMENT_SLOT_FULL' }],
    ]);
  });

  it('reports UNKNOWN for an error that is not an API error', async () => {
    const { events, tracker } = recorder();
    await expect(runTrackedTask(tracker, 't', {}, () => Promise.reject(new TypeError('network')))).rejects.toThrow('network');
    expect(events[1]).toEqual({ name: 't', phase: 'fail', props: { code: 'UNKNOWN' } });
    expect(taskFailCode('oops')).toBe('UNKNOWN');
    expect(taskFailCode(apiError('RATE_LIMITED'))).toBe('RATE_LIMITED');
  });

  it('takes complete props from the result and fail props from the error when given', async () => {
    const { events, tracker } = recorder();
    const options = {
      completeProps: (list: string[]) => ({ count: list.length }),
      failProps: (err: unknown) => ({ code: taskFailCode(err) }),
    };
    await runTrackedTask(tracker, 'violations.lookup', { by: 'plate' }, async () => ['a', 'b'], options);
    await expect(runTrackedTask(tracker, 'violations.lookup', { by: 'plate' }, () => Promise.reject(apiError('VIOLATION_PROOF_REQUIRED')), options)).rejects.toThrow();
    expect(events.map((e) => [e.phase, e.props])).toEqual([
      ['start', { by: 'plate' }],
      ['complete', { count: 2 }],
      ['start', { by: 'plate' }],
      ['fail', { code: 'VIOLATION_PROOF_REQUIRED' }], // the start props are not repeated
    ]);
  });

  it('a throwing props callback falls back to the default props and leaves the outcome alone', async () => {
    const { events, tracker } = recorder();
    const broken = () => {
      throw new Error('bug in the page');
    };
    await expect(runTrackedTask(tracker, 't', { a: 1 }, async () => 'ok', { completeProps: broken })).resolves.toBe('ok');
    const err = apiError('CONFLICT');
    await expect(runTrackedTask(tracker, 't', { a: 1 }, () => Promise.reject(err), { failProps: broken })).rejects.toBe(err);
    expect(events.filter((e) => e.phase !== 'start').map((e) => [e.phase, e.props])).toEqual([
      ['complete', { a: 1 }],
      ['fail', { a: 1, code: 'CONFLICT' }],
    ]);
  });

  it('records start before the work runs', async () => {
    const { events, tracker } = recorder();
    let seenAtWork = -1;
    await runTrackedTask(tracker, 't', {}, async () => {
      seenAtWork = events.length;
    });
    expect(seenAtWork).toBe(1);
  });
});
