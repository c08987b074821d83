import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/http/errors';
import { createJssdk, jssdkSignature, randomNonce, signableUrl } from '../../../server/wechat/jssdk';

// VECTORS.md V11: the official JS-SDK example.
const V11 = {
  jsapiTicket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
  nonceStr: 'Wm3WZYTPz0wzccnW',
  timestamp: 1414587457,
  url: 'http://mp.weixin.qq.com?params=value',
};

describe('JS-SDK signature', () => {
  it('matches the official example (V11)', () => {
    expect(jssdkSignature(V11)).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('matches the older revision of the example (no query string)', () => {
    expect(jssdkSignature({ ...V11, url: 'http://mp.weixin.qq.com' })).toBe('f4d90daf4b3bca3078ab155816175ba34c443a7b');
  });

  it('signs the URL without its fragment, and nothing else is changed', () => {
    expect(signableUrl('http://mp.weixin.qq.com?params=value#/page?x=1')).toBe('http://mp.weixin.qq.com?params=value');
    expect(jssdkSignature({ ...V11, url: `${V11.url}#wechat_redirect` })).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
    expect(jssdkSignature({ ...V11, timestamp: String(V11.timestamp) })).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('jssdkConfig gives wx.config its camelCase fields with the ticket from the store', async () => {
    const sdk = createJssdk({
      appId: 'wx5andb0x0000000a',
      ticket: async () => V11.jsapiTicket,
      now: () => V11.timestamp * 1000 + 999,
      nonce: () => V11.nonceStr,
    });
    expect(await sdk.jssdkConfig(`${V11.url}#frag`)).toEqual({
      appId: 'wx5andb0x0000000a',
      timestamp: 1414587457,
      nonceStr: 'Wm3WZYTPz0wzccnW',
      signature: '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    });
  });

  it('refuses pages outside the allowed origins', async () => {
    const sdk = createJssdk({ appId: 'wx5andb0x0000000a', ticket: async () => 't', allowedOrigins: ['https://portal.example.gov.cn'] });
    await expect(sdk.jssdkConfig('https://portal.example.gov.cn/h5/violations?x=1')).resolves.toMatchObject({ appId: 'wx5andb0x0000000a' });
    for (const bad of ['https://evil.example.com/h5/', 'javascript:alert(1)', '/h5/violations']) {
      await expect(sdk.jssdkConfig(bad)).rejects.toSatisfy((e) => e instanceof AppError && e.code === 'JSSDK_URL_NOT_ALLOWED');
    }
  });

  it('nonces are 16 random letters and digits', () => {
    const a = randomNonce();
    expect(a).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(randomNonce()).not.toBe(a);
  });
});
