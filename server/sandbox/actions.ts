import { AppError } from '../http/errors';
import type { SandboxCore } from './core';
import { newMsgId } from './ids';
import type { MenuButton } from './menu-rules';
import type { PushService } from './push-service';
import type { QrCode } from './qrcodes';
import type { ChatEntry, PushOutcome, SandboxUser } from './types';

/**
 * What a person does in WeChat, turned into the platform's state changes and pushes: follow
 * (optionally by scanning a parametric QR code), unfollow, scan, send a text, share a
 * location, tap a menu button.
 */
export type MenuTap =
  | { action: 'click'; name: string; key: string; outcome: PushOutcome }
  | { action: 'view'; name: string; url: string; openUrl: string }
  | { action: 'submenu'; name: string; items: string[] }
  | { action: 'miniprogram'; name: string; appid: string; pagepath: string; url: string }
  | { action: 'media'; name: string; type: string; id: string }
  | { action: 'unsupported'; name: string; type: string };

export interface QrVia {
  /** a ticket from /cgi-bin/qrcode/create */
  ticket?: string;
  /** a scene value, for codes printed outside the API */
  scene?: string;
}

export interface UserActions {
  follow(openid: string, via?: QrVia): Promise<PushOutcome>;
  unfollow(openid: string): Promise<PushOutcome>;
  scan(openid: string, via: QrVia): Promise<PushOutcome>;
  sendText(openid: string, content: string): Promise<{ message: ChatEntry; outcome: PushOutcome }>;
  sendLocation(openid: string, at: { latitude: number; longitude: number; precision?: number }): Promise<PushOutcome>;
  tapMenu(openid: string, at: { button: number; sub?: number }): Promise<MenuTap>;
}

export function createUserActions(core: SandboxCore, pushes: PushService, openUrl: (openid: string, url: string) => string): UserActions {
  const conflict = (message: string) => new AppError('CONFLICT', message);

  function person(openid: string): SandboxUser {
    const user = core.users.get(openid);
    if (!user) throw new AppError('SANDBOX_CITIZEN_NOT_FOUND');
    return user;
  }

  function follower(openid: string): SandboxUser {
    const user = person(openid);
    if (!user.subscribed) throw conflict('This user does not follow the account.');
    return user;
  }

  function qrCode(via: QrVia | undefined): QrCode | undefined {
    if (via?.ticket) {
      const code = core.qrcodes.find(via.ticket);
      if (!code) throw new AppError('VALIDATION_FAILED', 'ticket: unknown or expired QR code ticket');
      return code;
    }
    return via?.scene ? core.qrcodes.forScene(via.scene) : undefined;
  }

  function followVia(user: SandboxUser, code: QrCode | undefined): Promise<PushOutcome> {
    if (user.snapshot) throw conflict('A snapshot-mode visitor cannot follow the account.');
    if (user.subscribed) throw conflict('This user already follows the account.');
    core.users.markFollowed(user, code ? 'ADD_SCENE_QR_CODE' : 'ADD_SCENE_SEARCH', code ? (code.numeric ? { sceneId: Number(code.scene) } : { sceneStr: code.scene }) : undefined);
    core.csWindow.grant(user.openid, 'follow');
    return pushes.push(user.openid, {
      MsgType: 'event',
      Event: 'subscribe',
      EventKey: code ? `qrscene_${code.scene}` : '',
      ...(code ? { Ticket: code.ticket } : {}),
    });
  }

  function buttonAt(buttons: MenuButton[], at: { button: number; sub?: number }): MenuButton {
    const top = buttons[at.button];
    if (!top) throw new AppError('VALIDATION_FAILED', 'button: no such menu button');
    if (at.sub === undefined) return top;
    const sub = top.sub_button?.[at.sub];
    if (!sub) throw new AppError('VALIDATION_FAILED', 'sub: no such sub-button');
    return sub;
  }

  return {
    follow: async (openid, via) => followVia(person(openid), qrCode(via)),

    async unfollow(openid) {
      const user = follower(openid);
      core.users.markUnfollowed(user);
      core.csWindow.clear(openid);
      return pushes.push(openid, { MsgType: 'event', Event: 'unsubscribe', EventKey: '' });
    },

    async scan(openid, via) {
      const user = person(openid);
      const code = qrCode(via);
      if (!code) throw new AppError('VALIDATION_FAILED', 'ticket or scene is required');
      if (!user.subscribed) return followVia(user, code);
      core.csWindow.grant(openid, 'scan');
      return pushes.push(openid, { MsgType: 'event', Event: 'SCAN', EventKey: code.scene, Ticket: code.ticket });
    },

    async sendText(openid, content) {
      follower(openid);
      const msgId = newMsgId();
      const message = core.chat.append(openid, { from: 'user', via: 'message', msgType: 'text', text: content, msgId });
      core.csWindow.grant(openid, 'message');
      const outcome = await pushes.push(openid, { MsgType: 'text', Content: content, MsgId: BigInt(msgId) });
      return { message, outcome };
    },

    async sendLocation(openid, at) {
      follower(openid);
      return pushes.push(openid, { MsgType: 'event', Event: 'LOCATION', Latitude: at.latitude, Longitude: at.longitude, Precision: at.precision ?? 30 });
    },

    async tapMenu(openid, at) {
      const user = follower(openid);
      const menu = core.menus.match(user);
      if (!menu) throw conflict('The account has no published menu.');
      const b = buttonAt(menu.button, at);
      const name = b.name;
      // A parent only opens its sub-menu: no event (PROTOCOL §2.3).
      if (b.sub_button) return { action: 'submenu', name, items: b.sub_button.map((s) => s.name) };
      switch (b.type) {
        case 'click': {
          core.csWindow.grant(openid, 'click');
          const key = b.key ?? '';
          return { action: 'click', name, key, outcome: await pushes.push(openid, { MsgType: 'event', Event: 'CLICK', EventKey: key }) };
        }
        case 'view': {
          const url = b.url ?? '';
          // The browser opens at once; the VIEW push goes out alongside, its answer unused.
          void pushes.push(openid, { MsgType: 'event', Event: 'VIEW', EventKey: url, MenuId: menu.menuid });
          return { action: 'view', name, url, openUrl: openUrl(openid, url) };
        }
        case 'miniprogram':
          return { action: 'miniprogram', name, appid: b.appid ?? '', pagepath: b.pagepath ?? '', url: b.url ?? '' };
        case 'media_id':
        case 'view_limited':
          return { action: 'media', name, type: b.type, id: b.media_id ?? '' };
        case 'article_id':
        case 'article_view_limited':
          return { action: 'media', name, type: b.type, id: b.article_id ?? '' };
        default:
          return { action: 'unsupported', name, type: b.type ?? '' };
      }
    },
  };
}
