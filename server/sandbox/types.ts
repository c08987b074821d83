/** Shapes shared across the simulated platform. Field names follow WeChat where they leave this folder as WeChat JSON. */

/** `client_platform_type` of conditional menus: 1 iOS, 2 Android, 3 other. */
export type ClientPlatform = 1 | 2 | 3;

export type SubscribeScene =
  | 'ADD_SCENE_SEARCH'
  | 'ADD_SCENE_ACCOUNT_MIGRATION'
  | 'ADD_SCENE_PROFILE_CARD'
  | 'ADD_SCENE_QR_CODE'
  | 'ADD_SCENE_PROFILE_LINK'
  | 'ADD_SCENE_PROFILE_ITEM'
  | 'ADD_SCENE_PAID'
  | 'ADD_SCENE_WECHAT_ADVERTISEMENT'
  | 'ADD_SCENE_REPRINT'
  | 'ADD_SCENE_LIVESTREAM'
  | 'ADD_SCENE_CHANNELS'
  | 'ADD_SCENE_OTHERS';

/** A WeChat user as the platform knows them (one account, so one openid per person). */
export interface SandboxUser {
  /** short handle for the control API paths (openids stay out of URL paths, which are logged) */
  id: string;
  openid: string;
  nickname: string;
  headimgurl: string;
  subscribed: boolean;
  /** Unix seconds of the last follow; 0 if never followed */
  subscribeTime: number;
  subscribeScene: SubscribeScene | '';
  qrScene: number;
  qrSceneStr: string;
  /** tag ids in the order they were applied (the last one decides conditional menus) */
  tagids: number[];
  language: 'zh_CN' | 'zh_TW' | 'en';
  remark: string;
  /** a snapshot-mode virtual identity (PROTOCOL §5.4): is_snapshotuser=1, not a real openid of the account */
  snapshot: boolean;
  /** the user refuses the account's messages: template sends end in `failed:user block` */
  blocked: boolean;
  clientPlatform: ClientPlatform;
  /** has allowed snsapi_userinfo once (the consent page is not shown again) */
  consented: boolean;
}

export interface ChatArticle {
  title: string;
  description: string;
  picUrl: string;
  url: string;
}

export interface TemplateCard {
  templateId: string;
  title: string;
  msgid: string;
  url?: string;
  miniprogram?: { appid: string; pagepath: string };
  /** the keyword rows as the phone shows them (first/remark, colours and emoji dropped) */
  rows: { key: string; label: string; value: string }[];
}

/**
 * One line of a user's chat, newest last. `from: 'user'` is what the person sent;
 * `from: 'account'` what they received; `from: 'system'` WeChat's own notice (e.g.
 * "该公众号暂时无法提供服务，请稍后再试" after a failed or invalid reply).
 */
export interface ChatEntry {
  id: number;
  /** epoch ms */
  at: number;
  from: 'user' | 'account' | 'system';
  via: 'message' | 'passive' | 'custom' | 'template' | 'notice';
  /** text, image, voice, video, music, news, msgmenu, miniprogrampage, mpnews, wxcard, template, notice */
  msgType: string;
  text?: string;
  mediaId?: string;
  title?: string;
  description?: string;
  url?: string;
  articles?: ChatArticle[];
  menu?: { head: string; items: { id: string; content: string }[]; tail: string };
  template?: TemplateCard;
  /** the MsgId of a message the user sent */
  msgId?: string;
}

export type ChatEntryInput = Omit<ChatEntry, 'id' | 'at'>;

/** What happened to one push: deliveries, and what the portal answered. */
export interface PushOutcome {
  /** some delivery got a 2xx answer */
  delivered: boolean;
  attempts: number;
  /** HTTP status of the last delivery (absent on timeout / network error) */
  status?: number;
  /** why the last delivery failed */
  failure?: 'timeout' | 'network' | 'http';
  /** none: `success`/empty; passive: a valid reply (in `entries`); invalid: unreadable or refused; dropped: not shown (event without a chat) */
  reply: 'none' | 'passive' | 'invalid' | 'dropped' | 'unanswered';
  /** why a reply was judged invalid */
  invalidReason?: string;
  /** chat entries the push produced (the reply, or WeChat's failure notice) */
  entries: ChatEntry[];
}
