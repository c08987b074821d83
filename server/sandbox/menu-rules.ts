import { isRecord, str, utf8Bytes, WxError } from './wire';

/**
 * The platform's custom-menu checks (PROTOCOL §4.2), with its error codes: 1–3 top buttons,
 * 1–5 sub-buttons, name ≤ 16 bytes (top) / ≤ 60 bytes (sub), key ≤ 128 bytes, url ≤ 1024
 * bytes, a parent carries only a name, each type its required fields. The first problem wins.
 */
export interface MenuButton {
  type?: string;
  name: string;
  key?: string;
  url?: string;
  appid?: string;
  pagepath?: string;
  media_id?: string;
  article_id?: string;
  sub_button?: MenuButton[];
}

const KEY_TYPES = new Set(['click', 'scancode_push', 'scancode_waitmsg', 'pic_sysphoto', 'pic_photo_or_album', 'pic_weixin', 'location_select']);
const MEDIA_TYPES = new Set(['media_id', 'view_limited']);
const ARTICLE_TYPES = new Set(['article_id', 'article_view_limited']);
export const BUTTON_TYPES = new Set([...KEY_TYPES, ...MEDIA_TYPES, ...ARTICLE_TYPES, 'view', 'miniprogram']);

/** The codes differ for top-level and sub buttons; everything else is the same check. */
const CODES = {
  top: { type: 40017, name: 40018, key: 40019, urlSize: 40020, urlDomain: 40055, maxName: 16 },
  sub: { type: 40024, name: 40025, key: 40026, urlSize: 40027, urlDomain: 40054, maxName: 60 },
} as const;

export function validateMenu(body: Record<string, unknown>): MenuButton[] {
  const buttons = body.button;
  if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3) throw new WxError(40016);
  return buttons.map((b) => validateTop(b));
}

function validateTop(raw: unknown): MenuButton {
  if (!isRecord(raw)) throw new WxError(47001, 'hint: [button must be an object]');
  const subs = raw.sub_button;
  if (subs !== undefined && !Array.isArray(subs)) throw new WxError(47001, 'hint: [sub_button must be an array]');
  const name = checkName(raw.name, CODES.top);
  if (Array.isArray(subs) && subs.length > 0) {
    // A parent only opens its sub-menu: it has a name and nothing else that acts.
    if (raw.type !== undefined && raw.type !== '') throw new WxError(40017, 'hint: [a button with sub_button must not have a type]');
    if (subs.length > 5) throw new WxError(40023);
    return { name, sub_button: subs.map((s) => validateSub(s)) };
  }
  return leaf(raw, name, CODES.top);
}

function validateSub(raw: unknown): MenuButton {
  if (!isRecord(raw)) throw new WxError(47001, 'hint: [sub button must be an object]');
  if (Array.isArray(raw.sub_button) && raw.sub_button.length > 0) throw new WxError(40022);
  return leaf(raw, checkName(raw.name, CODES.sub), CODES.sub);
}

function checkName(name: unknown, codes: (typeof CODES)[keyof typeof CODES]): string {
  if (typeof name !== 'string' || name === '' || utf8Bytes(name) > codes.maxName) throw new WxError(codes.name);
  return name;
}

function leaf(raw: Record<string, unknown>, name: string, codes: (typeof CODES)[keyof typeof CODES]): MenuButton {
  const type = raw.type;
  if (typeof type !== 'string' || !BUTTON_TYPES.has(type)) throw new WxError(codes.type);
  if (KEY_TYPES.has(type)) {
    const key = raw.key;
    if (typeof key !== 'string' || key === '' || utf8Bytes(key) > 128) throw new WxError(codes.key);
    return { type, name, key };
  }
  if (type === 'view' || type === 'miniprogram') {
    const url = checkUrl(raw.url, codes);
    if (type === 'view') return { type, name, url };
    const appid = str(raw.appid);
    if (!appid) throw new WxError(40013, 'hint: [miniprogram button needs appid]');
    const pagepath = str(raw.pagepath);
    if (!pagepath) throw new WxError(47001, 'hint: [miniprogram button needs pagepath]');
    return { type, name, url, appid, pagepath };
  }
  if (MEDIA_TYPES.has(type)) {
    const mediaId = str(raw.media_id);
    if (!mediaId) throw new WxError(40007);
    return { type, name, media_id: mediaId };
  }
  const articleId = str(raw.article_id);
  if (!articleId) throw new WxError(40007, 'hint: [article_id missing]');
  return { type, name, article_id: articleId };
}

function checkUrl(url: unknown, codes: (typeof CODES)[keyof typeof CODES]): string {
  if (typeof url !== 'string' || url === '' || utf8Bytes(url) > 1024) throw new WxError(codes.urlSize);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WxError(codes.urlDomain);
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') throw new WxError(codes.urlDomain);
  return url;
}

/** Conditional-menu rules (PROTOCOL §4.3): only tag_id and client_platform_type still exist. */
export interface MatchRule {
  tag_id?: string;
  client_platform_type?: string;
}

const PRIVACY_FIELDS = ['sex', 'country', 'province', 'city', 'language'];

export function validateMatchRule(raw: unknown, tagExists: (id: number) => boolean): MatchRule {
  if (!isRecord(raw)) throw new WxError(65304);
  for (const f of PRIVACY_FIELDS) if (raw[f] !== undefined && raw[f] !== '') throw new WxError(65320);
  const tag = str(raw.tag_id) ?? '';
  const platform = str(raw.client_platform_type) ?? '';
  if (tag === '' && platform === '') throw new WxError(65304);
  const rule: MatchRule = {};
  if (tag !== '') {
    if (!/^\d+$/.test(tag) || !tagExists(Number(tag))) throw new WxError(45159);
    rule.tag_id = tag;
  }
  if (platform !== '') {
    if (!['1', '2', '3'].includes(platform)) throw new WxError(47001, 'hint: [client_platform_type must be 1, 2 or 3]');
    rule.client_platform_type = platform;
  }
  return rule;
}

/** Hosts a menu links to (view and miniprogram fallback URLs). */
export function menuHosts(buttons: MenuButton[]): Set<string> {
  const hosts = new Set<string>();
  const visit = (b: MenuButton) => {
    if (b.url) hosts.add(new URL(b.url).hostname.toLowerCase());
    b.sub_button?.forEach(visit);
  };
  buttons.forEach(visit);
  return hosts;
}
