import { describe, expect, it } from 'vitest';
import { RECENT_MAX, noteOpened, recentServices, serviceForPath } from '../../web/src/h5/recent-services';

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

const titles = (list: { title: string }[]) => list.map((s) => s.title);

describe('最近使用 (recent services)', () => {
  it('maps only the hall’s service paths, with or without a trailing slash', () => {
    expect(serviceForPath('/violations')?.key).toBe('violations');
    expect(serviceForPath('/points/')?.key).toBe('points');
    expect(serviceForPath('/appointments/office')).toBeUndefined();
    expect(serviceForPath('/')).toBeUndefined();
  });

  it('keeps the newest first, without duplicates, at most four', () => {
    const s = memoryStorage();
    const me = { storageKey: 'abc' };
    for (const p of ['/violations', '/points', '/violations', '/vehicles', '/appointments', '/applications', '/settings']) noteOpened(s, me, p);
    expect(titles(recentServices(s, me))).toEqual(['我的办件', '预约办理', '我的车辆', '违法查询']);
    expect(recentServices(s, me)).toHaveLength(RECENT_MAX);
  });

  it('two citizens sharing a phone each see their own; guests have a separate list', () => {
    const s = memoryStorage();
    noteOpened(s, { storageKey: 'alice' }, '/violations');
    noteOpened(s, { storageKey: 'bob' }, '/appointments');
    noteOpened(s, 'guest', '/points');
    expect(titles(recentServices(s, { storageKey: 'alice' }))).toEqual(['违法查询']);
    expect(titles(recentServices(s, { storageKey: 'bob' }))).toEqual(['预约办理']);
    expect(titles(recentServices(s, 'guest'))).toEqual(['驾驶证记分']);
  });

  it('survives junk in storage and missing storage', () => {
    const s = memoryStorage();
    s.setItem('gp.h5.recent.c.x', '{not json');
    expect(recentServices(s, { storageKey: 'x' })).toEqual([]);
    s.setItem('gp.h5.recent.c.x', JSON.stringify(['gone-service', 42, 'points']));
    expect(titles(recentServices(s, { storageKey: 'x' }))).toEqual(['驾驶证记分']);
    expect(recentServices(null, 'guest')).toEqual([]);
    expect(() => noteOpened(null, 'guest', '/points')).not.toThrow();
  });
});
