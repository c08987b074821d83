import { WechatApiError } from './errors';
import type { ApiCaller, WechatAck } from './types';

/** Button types the platform accepts in menu/create and menu/addconditional (PROTOCOL §4.2). */
export const WECHAT_BUTTON_TYPES = [
  'click',
  'view',
  'miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'media_id',
  'view_limited',
  'article_id',
  'article_view_limited',
] as const;
export type WechatButtonType = (typeof WECHAT_BUTTON_TYPES)[number];

/** One button as WeChat's menu JSON spells it. A button with `sub_button` carries only `name`. */
export interface WechatButton {
  name: string;
  type?: WechatButtonType;
  key?: string;
  url?: string;
  media_id?: string;
  article_id?: string;
  appid?: string;
  pagepath?: string;
  sub_button?: WechatButton[];
}

export interface WechatMenu {
  button: WechatButton[];
}

/** Conditional-menu rule: only these two fields still match (others are rejected with 65320). */
export interface WechatMatchRule {
  tag_id?: string;
  /** 1 iOS, 2 Android, 3 other */
  client_platform_type?: '1' | '2' | '3';
}

export interface MenuGetResult {
  menu: { button: WechatButton[]; menuid?: string };
  conditionalmenu?: Array<{ button: WechatButton[]; matchrule: WechatMatchRule & Record<string, unknown>; menuid: string }>;
}

/** get_current_selfmenu_info: also shows a menu set in the MP web UI; its sub_button is `{ list }`. */
export interface SelfmenuButton {
  name: string;
  type?: string;
  key?: string;
  url?: string;
  value?: string;
  sub_button?: { list: SelfmenuButton[] };
  [field: string]: unknown;
}
export interface SelfmenuInfo {
  is_menu_open: 0 | 1;
  selfmenu_info?: { button: SelfmenuButton[] };
}

/** errcode 46003: "menu no exist" */
export const MENU_NOT_EXIST = 46003;

export function menuApi(c: ApiCaller) {
  return {
    /** Replace the default menu. */
    create: (menu: WechatMenu) => c.withToken<WechatAck>('POST', '/cgi-bin/menu/create', { body: menu }),
    /** The default menu and every conditional menu; null when the account has none (46003). */
    async get(): Promise<MenuGetResult | null> {
      try {
        return await c.withToken<MenuGetResult>('GET', '/cgi-bin/menu/get');
      } catch (err) {
        if (err instanceof WechatApiError && err.errcode === MENU_NOT_EXIST) return null;
        throw err;
      }
    },
    /** Delete the default menu and with it all conditional menus. */
    delete: () => c.withToken<WechatAck>('GET', '/cgi-bin/menu/delete'),
    /** Add a conditional menu; returns WeChat's menu id (kept as a string). */
    async addConditional(menu: WechatMenu & { matchrule: WechatMatchRule }): Promise<{ menuid: string }> {
      const res = await c.withToken<{ menuid: string | number }>('POST', '/cgi-bin/menu/addconditional', { body: menu });
      return { menuid: String(res.menuid) };
    },
    delConditional: (menuid: string) => c.withToken<WechatAck>('POST', '/cgi-bin/menu/delconditional', { body: { menuid } }),
    /** Which menu a user (OpenID or WeChat id) would see. */
    tryMatch: (userId: string) =>
      c.withToken<{ button: WechatButton[] }>('POST', '/cgi-bin/menu/trymatch', { body: { user_id: userId } }),
    currentSelfmenuInfo: () => c.withToken<SelfmenuInfo>('GET', '/cgi-bin/get_current_selfmenu_info'),
  };
}
export type MenuApi = ReturnType<typeof menuApi>;
