import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import { formatShanghaiTime, formatUptime, loadHealth, loadReadiness } from '../../web/src/admin/status';

const usage = { buffered: 3, written: 120, dropped: 0, failedFlushes: 1, lastFlushAt: '2025-01-06T02:00:00Z' };

describe('system status', () => {
  it('shows the checks of a 503 NOT_READY answer instead of only an error', async () => {
    const get = async <T>(): Promise<T> => {
      throw new ApiError(503, {
        code: 'NOT_READY',
        message: '服务未就绪',
        requestId: 'req-1',
        details: { checks: { database: 'ok', migrations: 'pending' }, usage },
      });
    };
    const view = await loadReadiness(get);
    expect(view).toEqual({
      ready: false,
      checks: { database: 'ok', migrations: 'pending' },
      usage,
      error: '服务未就绪（编号 req-1）',
    });
  });

  it('reports a ready instance', async () => {
    const get = async <T>(): Promise<T> =>
      ({ status: 'ready', checks: { database: 'ok', migrations: 'ok' }, usage }) as T;
    expect(await loadReadiness(get)).toMatchObject({ ready: true, error: null, usage });
  });

  it('turns a network failure into a message', async () => {
    const get = async <T>(): Promise<T> => {
      throw new ApiError(0, { code: 'NETWORK', message: '网络连接失败' });
    };
    expect(await loadHealth(get)).toEqual({ ok: false, error: '网络连接失败' });
    expect(await loadReadiness(get)).toMatchObject({ ready: false, checks: {}, usage: null, error: '网络连接失败' });
  });

  it('formats uptime and times in Asia/Shanghai', () => {
    expect(formatUptime(42)).toBe('42 秒');
    expect(formatUptime(3 * 3600 + 5 * 60)).toBe('3 小时 5 分');
    expect(formatUptime(86_400 + 60)).toBe('1 天 0 小时 1 分');
    expect(formatShanghaiTime('2025-01-06T16:30:00Z')).toBe('2025/01/07 00:30:00');
    expect(formatShanghaiTime(null)).toBe('—');
  });
});
