import type { StoredReply } from '../../db/schema';
import type { AutoReplyService } from '../auto-reply/service';
import type { CitizenService } from '../citizens/service';
import type { Logger } from '../logger';
import type { UsageInput, UsageRecorder } from '../usage/recorder';
import type { WechatEventBus } from './event-bus';
import type { PushMessage } from './messages';

/** Which menu version a CLICK/VIEW came from (conditional menus carry a MenuId). */
export type MenuVersionLookup = (menuId?: string) => Promise<string | null>;

export interface PushHandler {
  /** Apply a push's effects and decide the reply (undefined: none). */
  handle(msg: PushMessage): Promise<StoredReply | undefined>;
}

/** `menu` and `mv` of a VIEW target, also when it is wrapped in our /oauth/start?return=… */
export function viewAttribution(target: string): { menuKey: string | null; menuVersion: string | null } {
  try {
    const url = new URL(target, 'http://portal.invalid');
    const inner = url.searchParams.get('return');
    const page = inner ? new URL(inner, 'http://portal.invalid') : url;
    return { menuKey: page.searchParams.get('menu'), menuVersion: page.searchParams.get('mv') };
  } catch {
    return { menuKey: null, menuVersion: null };
  }
}

export function createPushHandler(deps: {
  autoReply: AutoReplyService;
  citizens: CitizenService;
  usage: UsageRecorder;
  events: WechatEventBus;
  menuVersion: MenuVersionLookup;
  logger: Logger;
  now?: () => number;
}): PushHandler {
  const now = deps.now ?? Date.now;
  // CreateTime is whole seconds; the tap happened within that second. The arrival time, held inside
  // it, orders a tap among the same second's page events (which carry milliseconds).
  const tappedAt = (msg: PushMessage) => Math.min(Math.max(now(), msg.createTime * 1000), msg.createTime * 1000 + 999);
  const record = (msg: PushMessage, e: Omit<UsageInput, 'source' | 'openid' | 'at'>) =>
    deps.usage.record({ source: 'wechat', openid: msg.fromUserName, at: tappedAt(msg), ...e });
  const at = (msg: PushMessage) => new Date(msg.createTime * 1000);

  return {
    async handle(msg) {
      if (msg.kind === 'message') {
        record(msg, { kind: 'message', name: msg.msgType });
        // Only text is matched against keywords; other messages get the default reply.
        return deps.autoReply.forText(msg.msgType === 'text' ? msg.content : '');
      }
      if (msg.kind === 'unknown') {
        record(msg, { kind: 'message', name: (msg.event ?? msg.msgType).slice(0, 64), outcome: 'unknown' });
        return undefined;
      }
      switch (msg.event) {
        case 'subscribe': {
          const source = msg.scene ? `qrscene_${msg.scene}` : null;
          await deps.citizens.followed(msg.fromUserName, at(msg), source);
          record(msg, { kind: 'follow', name: 'subscribe', props: source ? { source } : null });
          return deps.autoReply.forSubscribe();
        }
        case 'unsubscribe':
          record(msg, { kind: 'unfollow', name: 'unsubscribe' });
          await deps.citizens.unfollowed(msg.fromUserName, at(msg));
          return undefined;
        case 'SCAN':
          record(msg, { kind: 'scan', name: 'SCAN', props: { scene: msg.eventKey.slice(0, 64) } });
          return undefined;
        case 'LOCATION':
          // Coordinates are personal data and no report needs them: count the event only.
          record(msg, { kind: 'message', name: 'LOCATION' });
          return undefined;
        case 'CLICK': {
          record(msg, { kind: 'menu_click', name: msg.eventKey, menuKey: msg.eventKey, menuVersion: await deps.menuVersion() });
          return deps.autoReply.forClick(msg.eventKey);
        }
        case 'VIEW':
        case 'view_miniprogram': {
          const a = viewAttribution(msg.eventKey);
          record(msg, {
            kind: 'menu_view',
            name: a.menuKey ?? msg.event,
            menuKey: a.menuKey,
            menuVersion: a.menuVersion ?? (await deps.menuVersion(msg.menuId)),
            props: msg.menuId ? { menuId: msg.menuId } : null,
          });
          return undefined;
        }
        case 'scancode_push':
        case 'scancode_waitmsg':
        case 'pic_sysphoto':
        case 'pic_photo_or_album':
        case 'pic_weixin':
        case 'location_select': {
          const key = msg.eventKey;
          record(msg, { kind: 'menu_click', name: key, menuKey: key, menuVersion: await deps.menuVersion(), props: { type: msg.event } });
          // scancode_push shows the result itself; the waiting kinds expect an answer.
          return msg.event === 'scancode_push' ? undefined : deps.autoReply.forClick(key);
        }
        case 'TEMPLATESENDJOBFINISH':
          record(msg, { kind: 'notification', name: 'template_receipt', outcome: msg.status.slice(0, 24) });
          await deps.events.templateReceipt({ msgId: msg.msgId, status: msg.status, openid: msg.fromUserName, at: at(msg) });
          return undefined;
        default:
          record(msg, { kind: 'message', name: msg.event.slice(0, 64) });
          return undefined;
      }
    },
  };
}
