import { describe, expect, it } from 'vitest';
import { DEFAULT_MENU } from '../../../db/seed/default-menu';
import { diffMenus } from '../../../server/menu/diff';
import type { MenuModel } from '../../../server/menu/model';

/** The version history's change summary (shared with the admin editor). */
describe('diffMenus', () => {
  it('the first version is all additions; an identical menu has no change', () => {
    expect(diffMenus(null, DEFAULT_MENU)).toMatchObject({ removed: [], changed: [], summary: '新增 9 项' });
    expect(diffMenus(DEFAULT_MENU, structuredClone(DEFAULT_MENU))).toEqual({ added: [], removed: [], changed: [], summary: '无变化' });
  });

  it('matches items by key: a renamed, moved or re-pointed item is changed, not removed and added', () => {
    const next = structuredClone(DEFAULT_MENU) as MenuModel;
    const query = next.button[0]!.sub_button!;
    query[0] = { ...query[0]!, name: '违章查询' }; // renamed
    query.reverse(); // violations and vehicles swap places
    next.button[1]!.sub_button![0]!.url = '/h5/appointments/new'; // re-pointed
    next.button[2]!.sub_button!.splice(1, 1); // 联系我们 removed
    next.button[2]!.sub_button!.push({ type: 'click', name: '常见问题', key: 'faq' });
    const d = diffMenus(DEFAULT_MENU, next);
    expect(d.added).toEqual(['互动服务 › 常见问题']);
    expect(d.removed).toEqual(['互动服务 › 联系我们']);
    expect(d.changed).toEqual([
      { label: '查询服务 › 我的车辆', fields: ['position'] },
      { label: '查询服务 › 违章查询', fields: ['name', 'position'] },
      { label: '办事服务 › 预约办理', fields: ['url'] },
      { label: '互动服务 › 满意度评价', fields: ['position'] }, // moved up when 联系我们 went
    ]);
    expect(d.summary).toBe('新增 1 项，删除 1 项，修改 4 项');
  });
});
