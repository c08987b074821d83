import { chunks, type ApiCaller, type WechatAck } from './types';

export type UserLang = 'zh_CN' | 'zh_TW' | 'en';

/** user/info (PROTOCOL §8.1). Nickname and avatar are no longer returned (since 2021-12-27). */
export interface WechatUserInfo {
  /** 0: not a follower, and nothing else is returned */
  subscribe: 0 | 1;
  openid: string;
  subscribe_time?: number;
  unionid?: string;
  remark?: string;
  groupid?: number;
  tagid_list?: number[];
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
  language?: string;
}

export interface UserListPage {
  total: number;
  count: number;
  data?: { openid: string[] };
  next_openid: string;
}

/** batchget takes at most 100 users per call. */
export const USER_BATCH_MAX = 100;

export function usersApi(c: ApiCaller) {
  return {
    info: (openid: string, lang: UserLang = 'zh_CN') => c.withToken<WechatUserInfo>('GET', '/cgi-bin/user/info', { query: { openid, lang } }),
    /** Any number of openids: sent in calls of 100, results in the given order. */
    async batchGet(openids: readonly string[], lang: UserLang = 'zh_CN'): Promise<WechatUserInfo[]> {
      const out: WechatUserInfo[] = [];
      for (const part of chunks(openids, USER_BATCH_MAX)) {
        const res = await c.withToken<{ user_info_list: WechatUserInfo[] }>('POST', '/cgi-bin/user/info/batchget', {
          body: { user_list: part.map((openid) => ({ openid, lang })) },
        });
        out.push(...(res.user_info_list ?? []));
      }
      return out;
    },
    /** Followers, one page; pass the previous page's next_openid to continue. */
    list: (nextOpenid?: string) => c.withToken<UserListPage>('GET', '/cgi-bin/user/get', { query: { next_openid: nextOpenid ?? '' } }),
    updateRemark: (openid: string, remark: string) =>
      c.withToken<WechatAck>('POST', '/cgi-bin/user/info/updateremark', { body: { openid, remark } }),
  };
}
export type UsersApi = ReturnType<typeof usersApi>;
