import { describe, expect, it } from 'vitest';
import { SERVICE_GROUPS, filterServices } from '../../web/src/h5/service-catalog';

const titles = (term: string) => filterServices(SERVICE_GROUPS, term).groups.flatMap((g) => g.services.map((s) => s.title));

describe('service hall search', () => {
  it('finds services by the words citizens use, not only their official titles', () => {
    expect(titles('违章')).toEqual(['违法查询']);
    expect(titles('扣分')).toEqual(['驾驶证记分']);
    expect(titles('违章查询')).toContain('违法查询');
  });

  it('keeps the groups of the matching services and counts them', () => {
    const r = filterServices(SERVICE_GROUPS, '车管所');
    expect(r.groups.map((g) => g.key)).toEqual(['transact', 'guide']);
    expect(r.count).toBe(2);
  });

  it('returns no groups for a term nothing matches', () => {
    expect(filterServices(SERVICE_GROUPS, '火车票')).toEqual({ groups: [], count: 0 });
  });

  it('shows everything for a blank term', () => {
    const all = SERVICE_GROUPS.reduce((n, g) => n + g.services.length, 0);
    expect(filterServices(SERVICE_GROUPS, '  ').count).toBe(all);
  });
});
