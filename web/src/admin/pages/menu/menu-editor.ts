/**
 * Pure logic of the menu editor: the tree operations, live validation and the version history's
 * change summaries. Validation and diffs are the server's own modules (server/menu/validation.ts,
 * diff.ts), imported as code, so the editor and the publish check can never disagree.
 */
import { adminGet, adminPost, adminPut } from '../../api';
import { MENU_LIMITS, type ButtonType, type MenuButton, type MenuModel, type MenuSubButton } from '../../../../../server/menu/model';
import { menuProblems, parseMenuShape, type MenuProblem, type MenuRule } from '../../../../../server/menu/validation';
import { diffMenus, type MenuDiff } from '../../../../../server/menu/diff';
import type { MenuVersionDto } from '../../../../../server/menu/schema';

export { MENU_LIMITS, diffMenus, type MenuButton, type MenuDiff, type MenuModel, type MenuProblem, type MenuSubButton, type MenuVersionDto };

/** The kinds an item can be in the editor (the model supports every platform type). */
export const TYPE_LABELS: Record<ButtonType, string> = {
  view: '打开网页',
  click: '点击回复（按 key 自动回复）',
  miniprogram: '打开小程序',
  scancode_push: '扫码',
  scancode_waitmsg: '扫码（等待回复）',
  pic_sysphoto: '拍照',
  pic_photo_or_album: '拍照或选图',
  pic_weixin: '微信相册选图',
  location_select: '发送位置',
  media_id: '永久素材',
  view_limited: '图文素材（旧）',
  article_id: '发布的文章',
  article_view_limited: '发布的文章（仅查看）',
};

export const FIELD_LABELS = { key: 'key', url: '网址或页面路径', media_id: '素材 ID', article_id: '文章 ID', appid: '小程序 AppID', pagepath: '小程序页面' } as const;
export type ItemField = keyof typeof FIELD_LABELS;

/** A short Chinese title for each platform rule; the server's message carries the particulars. */
export const RULE_TITLES: Record<MenuRule, string> = {
  shape: '格式不正确',
  top_count: '一级菜单数量',
  sub_count: '子菜单数量',
  nesting: '菜单只有两级',
  name_required: '名称为空',
  name_bytes: '名称过长',
  parent_has_action: '有子菜单的按钮不能设置动作',
  type_required: '缺少类型',
  type_allowed: '类型不支持',
  field_required: '缺少必填项',
  key_bytes: 'key 过长',
  key_format: 'key 格式',
  key_unique: 'key 重复',
  url_bytes: '网址过长',
  url_format: '网址格式',
  matchrule_empty: '匹配规则为空',
  matchrule_privacy: '匹配规则字段已停用',
  matchrule_field: '匹配规则字段未知',
  matchrule_value: '匹配规则取值',
  default_required: '需要先发布默认菜单',
};

export const isGroup = (b: MenuButton) => Array.isArray(b.sub_button);

/** Every platform-rule problem of the menu being edited (what publishing would refuse). */
export function liveProblems(menu: MenuModel): MenuProblem[] {
  const shape = parseMenuShape(menu);
  return shape.menu ? menuProblems(shape.menu) : shape.problems;
}

/** Problems about one item (`button.1` or `button.1.sub_button.2`), its fields included. */
export function problemsAt(problems: MenuProblem[], path: string): MenuProblem[] {
  return problems.filter((p) => p.path === path || (p.path.startsWith(`${path}.`) && !p.path.slice(path.length + 1).startsWith('sub_button.')));
}

export const canAddTop = (m: MenuModel) => m.button.length < MENU_LIMITS.topButtons;
export const canAddSub = (b: MenuButton) => (b.sub_button?.length ?? 0) < MENU_LIMITS.subButtons;

export function newLeaf(n: number): MenuSubButton {
  return { type: 'view', name: `菜单${n}`, url: '/h5/' };
}

export function addTop(m: MenuModel): MenuModel {
  if (!canAddTop(m)) return m;
  return { button: [...m.button, newLeaf(m.button.length + 1)] };
}

/** Turn a leaf into a group (its action moves to the first sub-item) and add a sub-item. */
export function addSub(m: MenuModel, top: number): MenuModel {
  const button = m.button.map((b) => ({ ...b }));
  const t = button[top];
  if (!t || !canAddSub(t)) return m;
  if (!isGroup(t)) {
    const { name, sub_button: _ignored, ...action } = t;
    const first = action.type ? [{ ...action, name: `${name}` } as MenuSubButton] : [];
    button[top] = { name, sub_button: [...first, newLeaf(first.length + 1)] };
  } else {
    button[top] = { ...t, sub_button: [...t.sub_button!, newLeaf(t.sub_button!.length + 1)] };
  }
  return { button };
}

export function removeItem(m: MenuModel, top: number, sub?: number): MenuModel {
  if (sub === undefined) return { button: m.button.filter((_, i) => i !== top) };
  return {
    button: m.button.map((b, i) => {
      if (i !== top || !b.sub_button) return b;
      const rest = b.sub_button.filter((_, j) => j !== sub);
      // The last sub-item gone: the group becomes a plain item again.
      return rest.length ? { ...b, sub_button: rest } : { name: b.name, type: 'view', url: '/h5/' };
    }),
  };
}

function swap<T>(list: T[], i: number, j: number): T[] {
  if (j < 0 || j >= list.length) return list;
  const out = [...list];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

export function moveItem(m: MenuModel, delta: -1 | 1, top: number, sub?: number): MenuModel {
  if (sub === undefined) return { button: swap(m.button, top, top + delta) };
  return { button: m.button.map((b, i) => (i === top && b.sub_button ? { ...b, sub_button: swap(b.sub_button, sub, sub + delta) } : b)) };
}

/** Change an item's type: keep name (and a key if the new type has one), drop other fields. */
export function withType(b: MenuSubButton, type: ButtonType): MenuSubButton {
  const out: MenuSubButton = { name: b.name, type };
  if (b.key !== undefined) out.key = b.key;
  if (type === 'view' || type === 'miniprogram') out.url = b.url ?? '';
  return out;
}

/** Fields an item of this type shows in the editor, required ones first. */
export function fieldsFor(type: ButtonType | undefined): ItemField[] {
  switch (type) {
    case undefined:
      return [];
    case 'view':
      return ['url', 'key'];
    case 'miniprogram':
      return ['appid', 'pagepath', 'url'];
    case 'media_id':
    case 'view_limited':
      return ['media_id'];
    case 'article_id':
    case 'article_view_limited':
      return ['article_id'];
    default:
      return ['key'];
  }
}

/** Each version with what changed against the version before it (the list is newest first). */
export function withDiffs(versions: MenuVersionDto[]): Array<MenuVersionDto & { diff: MenuDiff }> {
  return versions.map((v, i) => {
    const prev = versions.slice(i + 1).find((o) => o.kind === v.kind);
    const menu = v.menu as MenuModel;
    const before = prev ? (prev.menu as MenuModel) : null;
    try {
      return { ...v, diff: diffMenus(before, menu) };
    } catch {
      return { ...v, diff: { added: [], removed: [], changed: [], summary: '—' } };
    }
  });
}

export const STATUS_LABELS: Record<string, string> = { draft: '草稿', published: '已发布', superseded: '历史版本' };

export const clone = (m: MenuModel): MenuModel => JSON.parse(JSON.stringify(m)) as MenuModel;

const BASE = '/api/admin/menu';
export const menuApi = {
  versions: () => adminGet<MenuVersionDto[]>(`${BASE}/versions?kind=default&limit=50`),
  createDraft: (menu: MenuModel, note?: string) => adminPost<MenuVersionDto>(`${BASE}/versions`, { menu, note: note ?? null }),
  updateDraft: (id: number, menu: MenuModel) => adminPut<MenuVersionDto>(`${BASE}/versions/${id}`, { menu }),
  publish: (id: number) => adminPost<MenuVersionDto>(`${BASE}/versions/${id}/publish`),
  rollback: (id: number) => adminPost<MenuVersionDto>(`${BASE}/versions/${id}/rollback`),
};
