import { describe, expect, it } from 'vitest';
import type { StoredReply } from '../../../db/schema/wechat';
import { buildPassiveReply, isNoReply, SUCCESS } from '../../../server/wechat/replies';
import { parsePushXml } from '../../../server/wechat/xml';
import { V1 } from './vectors';

const build = (reply: StoredReply) => buildPassiveReply({ toUser: 'oCitizen', fromUser: 'gh_account', createTime: 1700000000, reply });
const head = { ToUserName: 'oCitizen', FromUserName: 'gh_account', CreateTime: '1700000000' };
/** element names in document order, to check the order PROTOCOL §2.4 prescribes */
const names = (xml: string) => [...xml.matchAll(/<([A-Za-z]+)>/g)].map((m) => m[1]);

describe('buildPassiveReply', () => {
  it('text: exact XML, envelope swapped, CreateTime bare seconds', () => {
    expect(build({ type: 'text', content: '你好\n第二行' })).toBe(
      '<xml><ToUserName><![CDATA[oCitizen]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好\n第二行]]></Content></xml>',
    );
  });

  it('refuses empty or blank text (WeChat would show the citizen an error)', () => {
    expect(() => build({ type: 'text', content: '' })).toThrow(/non-empty/);
    expect(() => build({ type: 'text', content: ' \n ' })).toThrow(/non-empty/);
  });

  it('text with ]]> survives the round trip', () => {
    const content = 'a]]>b <![CDATA[ ]]> & <x>';
    expect(parsePushXml(build({ type: 'text', content }))).toEqual({ ...head, MsgType: 'text', Content: content });
  });

  it('image and voice', () => {
    expect(parsePushXml(build({ type: 'image', mediaId: 'm1' }))).toEqual({ ...head, MsgType: 'image', Image: { MediaId: 'm1' } });
    expect(parsePushXml(build({ type: 'voice', mediaId: 'm2' }))).toEqual({ ...head, MsgType: 'voice', Voice: { MediaId: 'm2' } });
    expect(() => build({ type: 'image', mediaId: '' })).toThrow();
  });

  it('video: same shape as the V1 sample reply', () => {
    const reply = { type: 'video', mediaId: 'eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0', title: 'testCallBackReplyVideo', description: 'testCallBackReplyVideo' } as const;
    const xml = buildPassiveReply({ toUser: 'oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw', fromUser: 'gh_7f083739789a', createTime: 1407743423, reply });
    expect(xml).toBe(V1.replyMsg2);
    expect(names(xml)).toEqual(['xml', 'ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Video', 'MediaId', 'Title', 'Description']);
    expect(parsePushXml(build({ type: 'video', mediaId: 'm' }))).toEqual({ ...head, MsgType: 'video', Video: { MediaId: 'm' } });
  });

  it('music: documented element order', () => {
    const xml = build({ type: 'music', title: 't', description: 'd', musicUrl: 'http://m', hqMusicUrl: 'http://hq', thumbMediaId: 'th' });
    expect(names(xml).slice(5)).toEqual(['Music', 'Title', 'Description', 'MusicUrl', 'HQMusicUrl', 'ThumbMediaId']);
    expect(parsePushXml(xml)).toEqual({
      ...head,
      MsgType: 'music',
      Music: { Title: 't', Description: 'd', MusicUrl: 'http://m', HQMusicUrl: 'http://hq', ThumbMediaId: 'th' },
    });
    expect(() => build({ type: 'music', musicUrl: 'http://m', thumbMediaId: '' })).toThrow();
  });

  it('news: exactly one article, ArticleCount bare', () => {
    const xml = build({ type: 'news', title: '办事指南', description: 'd', picUrl: 'http://p', url: 'https://x/h5' });
    expect(xml).toContain('<ArticleCount>1</ArticleCount>');
    expect(names(xml).slice(5)).toEqual(['ArticleCount', 'Articles', 'item', 'Title', 'Description', 'PicUrl', 'Url']);
    expect(parsePushXml(xml)).toEqual({
      ...head,
      MsgType: 'news',
      ArticleCount: '1',
      Articles: { item: [{ Title: '办事指南', Description: 'd', PicUrl: 'http://p', Url: 'https://x/h5' }] },
    });
    expect(() => build({ type: 'news', title: '', url: 'https://x' })).toThrow();
  });

  it('transfer_customer_service', () => {
    expect(parsePushXml(build({ type: 'transfer_customer_service' }))).toEqual({ ...head, MsgType: 'transfer_customer_service' });
  });

  it('refuses a CreateTime in milliseconds', () => {
    expect(() => buildPassiveReply({ toUser: 'o', fromUser: 'g', createTime: 1700000000000, reply: { type: 'text', content: 'x' } })).toThrow(/seconds/);
  });
});

describe('no-reply bodies', () => {
  it('success and empty', () => {
    expect(SUCCESS).toBe('success');
    expect(isNoReply(SUCCESS)).toBe(true);
    expect(isNoReply('')).toBe(true);
    expect(isNoReply('<xml/>')).toBe(false);
  });
});
