import { WechatApiError } from './errors';
import type { ApiCaller } from './types';
import type { UserLang } from './users';

/** sns/oauth2/access_token and refresh_token (PROTOCOL §5.2–5.3). */
export interface WebAccessToken {
  /** the user's web token: distinct from the account's access_token */
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: string;
  unionid?: string;
  /** 1 only for snapshot-mode virtual users: never persist such an identity */
  is_snapshotuser?: number;
}

export interface WebUserInfo {
  openid: string;
  nickname: string;
  sex?: number;
  province?: string;
  city?: string;
  country?: string;
  headimgurl?: string;
  privilege?: string[];
  unionid?: string;
}

/** Error codes of the web-token check that mean "not valid" rather than "could not ask". */
const WEB_TOKEN_INVALID = new Set([40001, 40003, 40014, 42001]);

/** The OAuth calls use the web-auth appid+secret (or the user's web token), never the account token. */
export function oauthApi(c: ApiCaller, creds: { appId: string; appSecret: string }) {
  return {
    /** Exchange an authorize `code` (single use, 5 minutes). */
    exchangeCode: (code: string) =>
      c.plain<WebAccessToken>('GET', '/sns/oauth2/access_token', {
        query: { appid: creds.appId, secret: creds.appSecret, code, grant_type: 'authorization_code' },
      }),
    refreshToken: (refreshToken: string) =>
      c.plain<WebAccessToken>('GET', '/sns/oauth2/refresh_token', {
        query: { appid: creds.appId, grant_type: 'refresh_token', refresh_token: refreshToken },
      }),
    /** Profile for a `snsapi_userinfo` web token (a `snsapi_base` token gets 48001). */
    userInfo: (webToken: string, openid: string, lang: UserLang = 'zh_CN') =>
      c.plain<WebUserInfo>('GET', '/sns/userinfo', { query: { access_token: webToken, openid, lang } }),
    /** sns/auth: whether a web token is still valid for this openid. */
    async checkToken(webToken: string, openid: string): Promise<boolean> {
      try {
        await c.plain('GET', '/sns/auth', { query: { access_token: webToken, openid } });
        return true;
      } catch (err) {
        if (err instanceof WechatApiError && WEB_TOKEN_INVALID.has(err.errcode)) return false;
        throw err;
      }
    },
  };
}
export type OauthApi = ReturnType<typeof oauthApi>;
