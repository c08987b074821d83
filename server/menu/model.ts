import { z } from 'zod';
import { WECHAT_BUTTON_TYPES, type WechatButtonType } from '../wechat/api/menu';

/**
 * The portal's custom-menu model: WeChat's own menu JSON (field names included), so an editor,
 * the phone emulator and the platform all read the same shape, with two portal additions:
 *
 * - a `view` button may point at a portal page by path (`/h5/violations`); at publish time such
 *   URLs (and absolute ones on the portal's own origin) are rewritten to enter through OAuth and
 *   carry attribution (see transform.ts);
 * - a `view` button may carry a `key`: not sent to WeChat, it is the item's attribution key
 *   (`menu=` on the page URL). Without one, a key is derived from the button's position.
 *
 * The zod schema checks the shape only (so a draft can be stored and its problems listed); the
 * platform's rules (counts, byte limits, per-type fields, unique keys) live in validation.ts.
 */

export const MENU_LIMITS = {
  topButtons: 3,
  subButtons: 5,
  /** UTF-8 bytes (a CJK character is 3): 16 ≈ 5 characters */
  topNameBytes: 16,
  subNameBytes: 60,
  keyBytes: 128,
  urlBytes: 1024,
  /** attribution keys travel in page URLs and usage events (usage/schema.ts: token(64)) */
  attributionKeyChars: 64,
} as const;

export const BUTTON_TYPES = WECHAT_BUTTON_TYPES;
export type ButtonType = WechatButtonType;

/** Types whose taps push an event with EventKey = key: they need a key. */
export const KEYED_TYPES: readonly ButtonType[] = [
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
];

/** Fields each type needs (beyond `name`); they are also exactly the fields sent to WeChat. */
export type ActionField = 'key' | 'url' | 'media_id' | 'article_id' | 'appid' | 'pagepath';
export const REQUIRED_FIELDS: Record<ButtonType, readonly ActionField[]> = {
  click: ['key'],
  scancode_push: ['key'],
  scancode_waitmsg: ['key'],
  pic_sysphoto: ['key'],
  pic_photo_or_album: ['key'],
  pic_weixin: ['key'],
  location_select: ['key'],
  view: ['url'],
  miniprogram: ['appid', 'pagepath', 'url'],
  media_id: ['media_id'],
  view_limited: ['media_id'],
  article_id: ['article_id'],
  article_view_limited: ['article_id'],
};

/** Portal pages: what a relative menu URL may point at, and which absolute URLs are rewritten. */
export const PORTAL_PAGE_PREFIX = '/h5/';

// Bounds on the shape only guard storage; the platform's limits are reported by validation.ts.
const text = z.string().max(4096);
const leafFields = {
  name: z.string().max(1024),
  type: z.enum(BUTTON_TYPES).optional(),
  key: text.optional(),
  url: text.optional(),
  media_id: text.optional(),
  article_id: text.optional(),
  appid: text.optional(),
  pagepath: text.optional(),
};

export const subButtonSchema = z.strictObject(leafFields);
export const menuButtonSchema = z.strictObject({ ...leafFields, sub_button: z.array(subButtonSchema).max(20).optional() });
export const menuModelSchema = z.strictObject({ button: z.array(menuButtonSchema).max(20) });

export interface MenuLeafFields {
  name: string;
  type?: ButtonType;
  key?: string;
  url?: string;
  media_id?: string;
  article_id?: string;
  appid?: string;
  pagepath?: string;
}
export type MenuSubButton = MenuLeafFields;
export interface MenuButton extends MenuLeafFields {
  sub_button?: MenuSubButton[];
}
export interface MenuModel {
  button: MenuButton[];
}

// The hand-written interfaces above are what the rest of the code reads; keep them equal to the schema.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _modelMatchesSchema: Same<z.infer<typeof menuModelSchema>, MenuModel> = true;
void _modelMatchesSchema;

/** Conditional-menu rule (PROTOCOL §4.3): only tag and client platform still match. */
export const PRIVACY_MATCH_FIELDS = ['sex', 'country', 'province', 'city', 'language'] as const;
export interface MatchRule {
  tag_id?: string;
  /** 1 iOS, 2 Android, 3 other */
  client_platform_type?: '1' | '2' | '3';
}

export type MenuKind = 'default' | 'conditional';
export const MENU_KINDS: readonly MenuKind[] = ['default', 'conditional'];
export type MenuStatus = 'draft' | 'published' | 'superseded';

const encoder = new TextEncoder();
/** UTF-8 byte length: the unit of every menu limit (TextEncoder, so the admin editor runs this module too). */
export const utf8Bytes = (s: string) => encoder.encode(s).length;
