import { describe, expect, it } from 'vitest';
import { LIVE_SDK_URL, SANDBOX_SDK_URL, isIOS, isWechatBrowser, sdkScriptUrl, urlToSign } from '../../web/src/h5/jssdk-url';

const IOS_WECHAT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';
const ANDROID_WECHAT = 'Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';
const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

describe('JS-SDK script and signed URL (PROTOCOL §6)', () => {
  it('recognises WeChat’s browser and iOS', () => {
    expect([isWechatBrowser(IOS_WECHAT), isWechatBrowser(ANDROID_WECHAT), isWechatBrowser(DESKTOP)]).toEqual([true, true, false]);
    expect([isIOS(IOS_WECHAT), isIOS(ANDROID_WECHAT), isIOS(DESKTOP)]).toEqual([true, false, false]);
  });

  it('live mode loads WeChat’s script only inside WeChat; sandbox mode always loads the stand-in', () => {
    expect(sdkScriptUrl('live', ANDROID_WECHAT)).toBe(LIVE_SDK_URL);
    expect(LIVE_SDK_URL).toBe('https://res.wx.qq.com/open/js/jweixin-1.6.0.js');
    expect(sdkScriptUrl('live', DESKTOP)).toBeNull();
    expect(sdkScriptUrl('sandbox', DESKTOP)).toBe(SANDBOX_SDK_URL);
  });

  it('iOS signs the landing URL, Android the current one; never the fragment', () => {
    const landing = 'https://gov.example/h5/?menu=home&mv=3';
    const current = 'https://gov.example/h5/appointments/office?service=x#top';
    expect(urlToSign(IOS_WECHAT, landing, current)).toBe(landing);
    expect(urlToSign(ANDROID_WECHAT, landing, current)).toBe('https://gov.example/h5/appointments/office?service=x');
    expect(urlToSign(IOS_WECHAT, `${landing}#x`, current)).toBe(landing);
  });
});
