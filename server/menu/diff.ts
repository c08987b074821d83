import type { MenuModel, MenuSubButton } from './model';
import { menuItems, type MenuItem } from './transform';

/**
 * What changed between two menu versions, for the editor's version history. Pure (the admin
 * editor imports it). Leaves are matched by attribution key, the same identity usage reports
 * use, so an item that moved or was renamed is "changed", not "removed and added".
 */

export type MenuItemField = 'name' | 'group' | 'position' | 'type' | 'key' | 'url' | 'media_id' | 'article_id' | 'appid' | 'pagepath';

export interface MenuDiff {
  added: string[];
  removed: string[];
  changed: { label: string; fields: MenuItemField[] }[];
  /** "新增 1 项，删除 2 项，修改 1 项" or "无变化" */
  summary: string;
}

const FIELD_ORDER: readonly MenuItemField[] = ['name', 'group', 'position', 'type', 'key', 'url', 'media_id', 'article_id', 'appid', 'pagepath'];

function leafAt(model: MenuModel, path: string): MenuSubButton | undefined {
  const [, top, , sub] = path.split('.');
  const t = model.button[Number(top)];
  return sub === undefined ? t : t?.sub_button?.[Number(sub)];
}

function fieldsChanged(a: MenuItem, b: MenuItem, la: MenuSubButton | undefined, lb: MenuSubButton | undefined): MenuItemField[] {
  const out = new Set<MenuItemField>();
  if (a.name !== b.name) out.add('name');
  else if (a.label !== b.label && a.path === b.path) out.add('group'); // its top-level button was renamed
  if (a.path !== b.path) out.add('position');
  if (a.type !== b.type) out.add('type');
  for (const f of ['url', 'media_id', 'article_id', 'appid', 'pagepath'] as const) {
    if ((la?.[f] ?? '') !== (lb?.[f] ?? '')) out.add(f);
  }
  return FIELD_ORDER.filter((f) => out.has(f));
}

export function diffMenus(before: MenuModel | null, after: MenuModel): MenuDiff {
  const a = before ? menuItems(before) : [];
  const b = menuItems(after);
  const byKeyA = new Map(a.map((i) => [i.key, i]));
  const byKeyB = new Map(b.map((i) => [i.key, i]));
  const added = b.filter((i) => !byKeyA.has(i.key)).map((i) => i.label);
  const removed = a.filter((i) => !byKeyB.has(i.key)).map((i) => i.label);
  const changed: MenuDiff['changed'] = [];
  for (const item of b) {
    const old = byKeyA.get(item.key);
    if (!old) continue;
    const fields = fieldsChanged(old, item, before ? leafAt(before, old.path) : undefined, leafAt(after, item.path));
    if (fields.length) changed.push({ label: item.label, fields });
  }
  const parts = [
    added.length ? `新增 ${added.length} 项` : '',
    removed.length ? `删除 ${removed.length} 项` : '',
    changed.length ? `修改 ${changed.length} 项` : '',
  ].filter(Boolean);
  return { added, removed, changed, summary: parts.length ? parts.join('，') : '无变化' };
}
