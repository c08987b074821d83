import type { WechatButton, WechatMenu } from '../wechat/api/menu';
import { PORTAL_PAGE_PREFIX, REQUIRED_FIELDS, type ButtonType, type MenuModel, type MenuSubButton } from './model';
import { isPortalPagePath } from './validation';

/**
 * Model → the JSON WeChat receives. Portal pages in `view` buttons (a `/h5/…` path, or an
 * absolute URL on the portal's own origin under `/h5/`) are rewritten to enter through web
 * OAuth and carry attribution:
 *
 *   ${publicBaseUrl}/oauth/start?return=<encoded /h5/…?menu=<key>&mv=<version>>&scope=base
 *
 * Other URLs are sent as they are. Only the fields WeChat needs for each type are sent (a view
 * button's `key` is the portal's attribution key, not WeChat's).
 */

export interface TransformContext {
  /** config.publicBaseUrl (no trailing slash) */
  publicBaseUrl: string;
  /** the version label carried as `mv`, e.g. "v3" */
  version: string;
}

/** One leaf of a menu with the key that attributes its use. */
export interface MenuItem {
  /** attribution key: the button's key, or one derived from its position */
  key: string;
  keyGenerated: boolean;
  name: string;
  /** `办事服务 › 预约办理` */
  label: string;
  /** `button.1.sub_button.0` */
  path: string;
  type: ButtonType;
  /** the model's URL (view / miniprogram) */
  url?: string;
  /** the URL WeChat opens (after the OAuth rewrite): matches a VIEW event's EventKey */
  wechatUrl?: string;
}

/** Derived key of a keyless leaf: `m<top>` or `m<top>_<sub>`, 1-based. */
export const positionKey = (top: number, sub?: number) => (sub === undefined ? `m${top + 1}` : `m${top + 1}_${sub + 1}`);

/** Every leaf in display order with its attribution key (unique within the menu). */
export function menuItems(model: MenuModel, ctx?: TransformContext): MenuItem[] {
  const leaves: Array<{ b: MenuSubButton; top: number; sub?: number; label: string }> = [];
  model.button.forEach((top, i) => {
    if (top.sub_button && top.sub_button.length > 0) {
      top.sub_button.forEach((sub, j) => leaves.push({ b: sub, top: i, sub: j, label: `${top.name} › ${sub.name}` }));
    } else leaves.push({ b: top, top: i, label: top.name });
  });
  const taken = new Set(leaves.map((l) => l.b.key).filter((k): k is string => typeof k === 'string' && k !== ''));
  return leaves
    .filter((l) => l.b.type !== undefined)
    .map(({ b, top, sub, label }) => {
      let key = b.key && b.key !== '' ? b.key : undefined;
      const keyGenerated = key === undefined;
      if (key === undefined) {
        const base = positionKey(top, sub);
        key = base;
        for (let n = 2; taken.has(key); n++) key = `${base}_${n}`;
        taken.add(key);
      }
      const item: MenuItem = {
        key,
        keyGenerated,
        name: b.name,
        label,
        path: sub === undefined ? `button.${top}` : `button.${top}.sub_button.${sub}`,
        type: b.type as ButtonType,
      };
      if (b.url !== undefined) {
        item.url = b.url;
        if (ctx) item.wechatUrl = b.type === 'view' ? rewriteViewUrl(b.url, { ...ctx, menuKey: key }) : b.url;
      }
      return item;
    });
}

/** The same-site return path if `url` is one of the portal's own pages, else null. */
export function portalPagePath(url: string, publicBaseUrl: string): string | null {
  if (isPortalPagePath(url)) return url;
  let u: URL;
  let base: URL;
  try {
    u = new URL(url);
    base = new URL(publicBaseUrl);
  } catch {
    return null;
  }
  if (u.origin !== base.origin) return null;
  if (!(u.pathname.startsWith(PORTAL_PAGE_PREFIX) || u.pathname === PORTAL_PAGE_PREFIX.slice(0, -1))) return null;
  return `${u.pathname}${u.search}${u.hash}`;
}

/** Rewrite a portal page to its OAuth entry carrying `menu` and `mv`; other URLs unchanged. */
export function rewriteViewUrl(url: string, ctx: TransformContext & { menuKey: string }): string {
  const page = portalPagePath(url, ctx.publicBaseUrl);
  if (page === null) return url;
  const u = new URL(page, 'http://portal.invalid');
  u.searchParams.set('menu', ctx.menuKey);
  u.searchParams.set('mv', ctx.version);
  const returnPath = `${u.pathname}${u.search}${u.hash}`;
  return `${ctx.publicBaseUrl.replace(/\/+$/, '')}/oauth/start?return=${encodeURIComponent(returnPath)}&scope=base`;
}

/** The menu JSON for menu/create (or addconditional, with a matchrule added by the caller). */
export function toWechatMenu(model: MenuModel, ctx: TransformContext): WechatMenu {
  const keys = new Map(menuItems(model).map((item) => [item.path, item.key]));
  const leaf = (b: MenuSubButton, path: string): WechatButton => {
    const out: WechatButton = { name: b.name };
    if (!b.type) return out;
    out.type = b.type;
    for (const field of REQUIRED_FIELDS[b.type]) {
      const v = b[field];
      if (v !== undefined) out[field] = v;
    }
    if (b.type === 'view' && b.url !== undefined) out.url = rewriteViewUrl(b.url, { ...ctx, menuKey: keys.get(path) ?? '' });
    return out;
  };
  return {
    button: model.button.map((top, i) =>
      top.sub_button && top.sub_button.length > 0
        ? { name: top.name, sub_button: top.sub_button.map((sub, j) => leaf(sub, `button.${i}.sub_button.${j}`)) }
        : leaf(top, `button.${i}`),
    ),
  };
}

const BUTTON_FIELDS = ['name', 'type', 'key', 'url', 'media_id', 'article_id', 'appid', 'pagepath'] as const;

/** Buttons in a canonical form for comparing our menu with what the platform reports. */
export function canonicalButtons(buttons: readonly WechatButton[] | undefined): unknown[] {
  return (buttons ?? []).map((b) => {
    const out: Record<string, unknown> = {};
    for (const f of BUTTON_FIELDS) if (b[f] !== undefined && b[f] !== '') out[f] = b[f];
    if (b.sub_button && b.sub_button.length > 0) out.sub_button = canonicalButtons(b.sub_button);
    return out;
  });
}

export const sameButtons = (a: readonly WechatButton[] | undefined, b: readonly WechatButton[] | undefined) =>
  JSON.stringify(canonicalButtons(a)) === JSON.stringify(canonicalButtons(b));
