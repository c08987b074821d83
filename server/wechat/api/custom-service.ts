import type { ApiCaller, WechatAck } from './types';

/** One article of a `news` customer-service message (the platform shows one). */
export interface CustomNewsArticle {
  title: string;
  description?: string;
  url: string;
  picurl?: string;
}

type Base = { touser: string; customservice?: { kf_account: string } };

/** Customer-service messages (PROTOCOL §8.4), as WeChat's JSON spells them. */
export type CustomMessage = Base &
  (
    | { msgtype: 'text'; text: { content: string } }
    | { msgtype: 'image'; image: { media_id: string } }
    | { msgtype: 'voice'; voice: { media_id: string } }
    | { msgtype: 'video'; video: { media_id: string; thumb_media_id?: string; title?: string; description?: string } }
    | { msgtype: 'music'; music: { title?: string; description?: string; musicurl: string; hqmusicurl?: string; thumb_media_id: string } }
    | { msgtype: 'news'; news: { articles: [CustomNewsArticle] } }
    | { msgtype: 'mpnews'; mpnews: { media_id: string } }
    | { msgtype: 'mpnewsarticle'; mpnewsarticle: { article_id: string } }
    | { msgtype: 'msgmenu'; msgmenu: { head_content?: string; list: Array<{ id: string; content: string }>; tail_content?: string } }
    | { msgtype: 'wxcard'; wxcard: { card_id: string } }
    | { msgtype: 'miniprogrampage'; miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id: string } }
  );

export function customServiceApi(c: ApiCaller) {
  // A message that timed out may have been delivered: never resent after a network error.
  const send = (message: CustomMessage) =>
    c.withToken<WechatAck>('POST', '/cgi-bin/message/custom/send', { body: message, retryOnNetworkError: false });
  return {
    send,
    sendText: (touser: string, content: string) => send({ touser, msgtype: 'text', text: { content } }),
    sendImage: (touser: string, mediaId: string) => send({ touser, msgtype: 'image', image: { media_id: mediaId } }),
    sendNews: (touser: string, article: CustomNewsArticle) => send({ touser, msgtype: 'news', news: { articles: [article] } }),
    typing: (touser: string, command: 'Typing' | 'CancelTyping' = 'Typing') =>
      c.withToken<WechatAck>('POST', '/cgi-bin/message/custom/typing', { body: { touser, command } }),
  };
}
export type CustomServiceApi = ReturnType<typeof customServiceApi>;
