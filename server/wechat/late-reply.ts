import type { StoredReply } from '../../db/schema';
import type { CustomMessage } from './api/custom-service';

/**
 * The customer-service message that carries a reply which missed the passive-reply deadline
 * (PROTOCOL §2.5, §8.4). A transfer to human agents only means something as a passive reply,
 * so it has no late form.
 */
export function lateReplyMessage(openid: string, reply: StoredReply): CustomMessage | null {
  switch (reply.type) {
    case 'text':
      return { touser: openid, msgtype: 'text', text: { content: reply.content } };
    case 'image':
      return { touser: openid, msgtype: 'image', image: { media_id: reply.mediaId } };
    case 'voice':
      return { touser: openid, msgtype: 'voice', voice: { media_id: reply.mediaId } };
    case 'video':
      return { touser: openid, msgtype: 'video', video: { media_id: reply.mediaId, title: reply.title, description: reply.description } };
    case 'music':
      return {
        touser: openid,
        msgtype: 'music',
        music: { title: reply.title, description: reply.description, musicurl: reply.musicUrl, hqmusicurl: reply.hqMusicUrl, thumb_media_id: reply.thumbMediaId },
      };
    case 'news':
      return { touser: openid, msgtype: 'news', news: { articles: [{ title: reply.title, description: reply.description, url: reply.url, picurl: reply.picUrl }] } };
    case 'transfer_customer_service':
      return null;
  }
}
