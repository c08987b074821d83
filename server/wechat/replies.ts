import type { StoredReply } from '../../db/schema/wechat';
import { buildXml, type XmlObject } from './xml';

/**
 * Passive replies: the HTTP response body to a push (PROTOCOL §2.4). Element names and order
 * follow the platform documentation exactly.
 */

/** The body that tells WeChat "no reply, do not retry" (an empty body does the same). */
export const SUCCESS = 'success';

/** `success` and '' are the two no-reply bodies; they are never encrypted (PROTOCOL §1.3). */
export const isNoReply = (body: string): boolean => body === '' || body === SUCCESS;

export interface PassiveReplyInput {
  /** the citizen's openid: the push's FromUserName */
  toUser: string;
  /** the account's original id: the push's ToUserName */
  fromUser: string;
  /** Unix seconds */
  createTime: number;
  reply: StoredReply;
}

export function buildPassiveReply({ toUser, fromUser, createTime, reply }: PassiveReplyInput): string {
  if (!Number.isInteger(createTime) || createTime < 0 || createTime > 1e11) throw new Error('CreateTime must be Unix seconds');
  const head = { ToUserName: toUser, FromUserName: fromUser, CreateTime: createTime, MsgType: reply.type };
  return buildXml({ ...head, ...payload(reply) });
}

function payload(reply: StoredReply): XmlObject {
  switch (reply.type) {
    case 'text':
      // An empty Content makes WeChat show "该公众号暂时无法提供服务" to the citizen.
      return { Content: required(reply.content, 'text content') };
    case 'image':
      return { Image: { MediaId: required(reply.mediaId, 'image mediaId') } };
    case 'voice':
      return { Voice: { MediaId: required(reply.mediaId, 'voice mediaId') } };
    case 'video':
      return { Video: { MediaId: required(reply.mediaId, 'video mediaId'), Title: reply.title, Description: reply.description } };
    case 'music':
      return {
        Music: {
          Title: reply.title,
          Description: reply.description,
          MusicUrl: reply.musicUrl,
          HQMusicUrl: reply.hqMusicUrl,
          ThumbMediaId: required(reply.thumbMediaId, 'music thumbMediaId'),
        },
      };
    case 'news':
      // The platform shows only one article in a passive reply since 2018-10-12.
      return {
        ArticleCount: 1,
        Articles: {
          item: [
            { Title: required(reply.title, 'news title'), Description: reply.description, PicUrl: reply.picUrl, Url: required(reply.url, 'news url') },
          ],
        },
      };
    case 'transfer_customer_service':
      return {};
  }
}

function required(value: string, what: string): string {
  if (value.trim() === '') throw new Error(`a passive reply needs a non-empty ${what}`);
  return value;
}
