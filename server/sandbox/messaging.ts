import type { SandboxCore } from './core';
import { newMsgId } from './ids';
import type { PushService } from './push-service';
import type { ChatEntryInput, SandboxUser } from './types';
import { isRecord, str, WxError } from './wire';

/** The account writing to users: template messages (PROTOCOL §7) and customer-service messages (§8.4). */
export interface Messaging {
  sendTemplate(body: Record<string, unknown>): { msgid: string };
  sendCustom(body: Record<string, unknown>): void;
  typing(body: Record<string, unknown>): void;
}

/** A real openid of this account: known and not a snapshot-mode virtual identity. */
export function recipient(core: SandboxCore, openid: string | undefined): SandboxUser {
  const user = openid ? core.users.get(openid) : undefined;
  if (!user || user.snapshot) throw new WxError(40003);
  return user;
}

export function createMessaging(core: SandboxCore, pushes: PushService, receiptDelayMs: number): Messaging {
  return {
    sendTemplate(body) {
      const input = core.templates.prepare(body);
      const user = recipient(core, input.touser);
      if (!user.subscribed) throw new WxError(43004);
      // Same openid + client_msg_id within 10 minutes: sent once, the first msgid answered again.
      const duplicate = core.templates.duplicateOf(user.openid, input.clientMsgId);
      if (duplicate) return { msgid: duplicate };
      core.templates.consumeQuota(core.faults.templateQuotaExhausted());

      const msgid = newMsgId();
      core.templates.remember(user.openid, input.clientMsgId, msgid);
      // Accepted either way; a user who refuses the account's messages never sees it, and the receipt says so.
      const status = user.blocked ? 'failed:user block' : 'success';
      if (!user.blocked) core.chat.append(user.openid, { from: 'account', via: 'template', msgType: 'template', template: { ...input.card, msgid } });
      const openid = user.openid;
      pushes.later(receiptDelayMs, () =>
        pushes.push(openid, { MsgType: 'event', Event: 'TEMPLATESENDJOBFINISH', MsgID: BigInt(msgid), Status: status }),
      );
      return { msgid };
    },

    sendCustom(body) {
      const user = recipient(core, str(body.touser));
      const entry = customEntry(body);
      if (!user.subscribed) throw new WxError(45015);
      core.csWindow.consume(user.openid);
      core.chat.append(user.openid, entry);
    },

    typing(body) {
      const user = recipient(core, str(body.touser));
      const command = str(body.command);
      if (command !== 'Typing' && command !== 'CancelTyping') throw new WxError(47001, 'hint: [command must be Typing or CancelTyping]');
      if (!user.subscribed) throw new WxError(45015);
      core.csWindow.check(user.openid);
    },
  };
}

const CUSTOM_TYPES = new Set(['text', 'image', 'voice', 'video', 'music', 'news', 'mpnews', 'mpnewsarticle', 'msgmenu', 'wxcard', 'miniprogrampage']);

/** The chat entry for a customer-service message; format problems throw the platform's errcode. */
function customEntry(body: Record<string, unknown>): ChatEntryInput {
  const msgType = str(body.msgtype);
  if (!msgType || !CUSTOM_TYPES.has(msgType)) throw new WxError(40008);
  const p = body[msgType];
  if (!isRecord(p)) throw new WxError(47001, `hint: [${msgType} must be an object]`);
  const base = { from: 'account' as const, via: 'custom' as const, msgType };
  const media = (field = 'media_id') => {
    const id = str(p[field]);
    if (!id) throw new WxError(40007);
    return id;
  };
  switch (msgType) {
    case 'text': {
      const content = str(p.content);
      if (!content) throw new WxError(44004);
      return { ...base, text: content };
    }
    case 'image':
    case 'voice':
    case 'mpnews':
      return { ...base, mediaId: media() };
    case 'video':
      return { ...base, mediaId: media(), title: str(p.title) ?? '', description: str(p.description) ?? '' };
    case 'music':
      return { ...base, mediaId: media('thumb_media_id'), title: str(p.title) ?? '', description: str(p.description) ?? '', url: str(p.musicurl) ?? '' };
    case 'news': {
      const articles = p.articles;
      if (!Array.isArray(articles) || articles.length === 0) throw new WxError(47001, 'hint: [news.articles]');
      if (articles.length > 1) throw new WxError(45008);
      const a: unknown = articles[0];
      if (!isRecord(a)) throw new WxError(47001, 'hint: [news.articles]');
      return { ...base, articles: [{ title: str(a.title) ?? '', description: str(a.description) ?? '', url: str(a.url) ?? '', picUrl: str(a.picurl) ?? '' }] };
    }
    case 'mpnewsarticle':
      return { ...base, mediaId: media('article_id') };
    case 'msgmenu': {
      const list = Array.isArray(p.list) ? p.list.filter(isRecord) : [];
      if (list.length === 0) throw new WxError(47001, 'hint: [msgmenu.list]');
      const items = list.map((i) => ({ id: str(i.id) ?? '', content: str(i.content) ?? '' }));
      return { ...base, menu: { head: str(p.head_content) ?? '', items, tail: str(p.tail_content) ?? '' } };
    }
    case 'wxcard':
      return { ...base, mediaId: media('card_id') };
    default: {
      const title = str(p.title);
      const pagepath = str(p.pagepath);
      if (!title || !pagepath || !str(p.appid)) throw new WxError(47001, 'hint: [miniprogrampage needs title, appid and pagepath]');
      return { ...base, title, url: pagepath, mediaId: str(p.thumb_media_id) ?? '' };
    }
  }
}
