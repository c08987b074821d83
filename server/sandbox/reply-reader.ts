import { isAppError } from '../http/errors';
import { openReply, type CodecConfig } from '../wechat/codec';
import { isNoReply } from '../wechat/replies';
import type { PushValue, PushXml } from '../wechat/xml';
import type { ChatArticle, ChatEntryInput } from './types';

/**
 * How WeChat reads the portal's answer to a push (PROTOCOL §1.6, §2.4): `success` or an empty
 * body means no reply; anything else must be a passive-reply XML addressed back to the sender
 * (encrypted in safe mode). A reply the platform cannot use makes the user see
 * "该公众号暂时无法提供服务，请稍后再试".
 */
export type ReadReply = { kind: 'none' } | { kind: 'reply'; entry: ChatEntryInput } | { kind: 'invalid'; reason: string };

export const UNAVAILABLE_NOTICE = '该公众号暂时无法提供服务，请稍后再试';

const text = (v: PushValue | undefined): string => (typeof v === 'string' ? v : '');
const obj = (v: PushValue | undefined): PushXml => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

export function readReply(body: string, cfg: CodecConfig, expect: { openid: string; originalId: string }): ReadReply {
  if (isNoReply(body)) return { kind: 'none' };
  let xml: PushXml;
  try {
    xml = openReply(body, cfg).xml;
  } catch (err) {
    if (!isAppError(err)) throw err;
    return { kind: 'invalid', reason: err.code };
  }
  if (text(xml.ToUserName) !== expect.openid) return { kind: 'invalid', reason: 'ToUserName is not the sender' };
  if (text(xml.FromUserName) !== expect.originalId) return { kind: 'invalid', reason: 'FromUserName is not the account' };
  if (!/^\d{1,11}$/.test(text(xml.CreateTime))) return { kind: 'invalid', reason: 'CreateTime missing' };
  const entry = toEntry(xml);
  return typeof entry === 'string' ? { kind: 'invalid', reason: entry } : { kind: 'reply', entry };
}

/** The chat entry for a reply, or why it cannot be shown. */
function toEntry(xml: PushXml): ChatEntryInput | string {
  const base = { from: 'account' as const, via: 'passive' as const };
  const type = text(xml.MsgType);
  switch (type) {
    case 'text': {
      const content = text(xml.Content);
      return content === '' ? 'empty text Content' : { ...base, msgType: 'text', text: content };
    }
    case 'image':
    case 'voice': {
      const mediaId = text(obj(xml[type === 'image' ? 'Image' : 'Voice']).MediaId);
      return mediaId ? { ...base, msgType: type, mediaId } : `${type} without MediaId`;
    }
    case 'video': {
      const v = obj(xml.Video);
      return text(v.MediaId) ? { ...base, msgType: 'video', mediaId: text(v.MediaId), title: text(v.Title), description: text(v.Description) } : 'video without MediaId';
    }
    case 'music': {
      const m = obj(xml.Music);
      return { ...base, msgType: 'music', title: text(m.Title), description: text(m.Description), url: text(m.MusicUrl), mediaId: text(m.ThumbMediaId) };
    }
    case 'news': {
      const items = obj(xml.Articles).item;
      const list = Array.isArray(items) ? items.filter((i): i is PushXml => typeof i === 'object') : [];
      if (list.length === 0) return 'news without articles';
      // Only one article is shown since 2018-10-12; extra items are ignored.
      const first = list[0] as PushXml;
      const article: ChatArticle = { title: text(first.Title), description: text(first.Description), picUrl: text(first.PicUrl), url: text(first.Url) };
      return { ...base, msgType: 'news', articles: [article] };
    }
    case 'transfer_customer_service':
      return { from: 'system', via: 'notice', msgType: 'notice', text: '消息已转接人工客服' };
    default:
      return `unknown MsgType ${type || '(missing)'}`;
  }
}
