import { AppError } from '../http/errors';
import type { PushXml, PushValue } from './xml';

/**
 * Typed views over a parsed push (PROTOCOL §2.2 messages, §2.3 events). Values stay strings as
 * WeChat sent them (ids are 64-bit, coordinates are decimals); only CreateTime becomes a
 * number. `raw` always holds the whole parsed XML, including elements not modelled here.
 */
interface Common {
  toUserName: string;
  /** the citizen's openid */
  fromUserName: string;
  /** Unix seconds */
  createTime: number;
  msgType: string;
  raw: PushXml;
}

interface Message<T extends string> extends Common {
  kind: 'message';
  msgType: T;
  /** '' only if WeChat left it out */
  msgId: string;
}

export type TextMessage = Message<'text'> & { content: string; bizMsgMenuId?: string };
export type ImageMessage = Message<'image'> & { picUrl: string; mediaId: string };
export type VoiceMessage = Message<'voice'> & { mediaId: string; format: string; recognition?: string };
export type VideoMessage = Message<'video' | 'shortvideo'> & { mediaId: string; thumbMediaId: string };
export type LocationMessage = Message<'location'> & { locationX: string; locationY: string; scale: string; label: string };
export type LinkMessage = Message<'link'> & { title: string; description: string; url: string };

interface Event<E extends string> extends Common {
  kind: 'event';
  msgType: 'event';
  event: E;
}

export type SubscribeEvent = Event<'subscribe'> & {
  eventKey: string;
  /** scene value when followed through a parametric QR code (`qrscene_` stripped), else null */
  scene: string | null;
  ticket?: string;
};
export type UnsubscribeEvent = Event<'unsubscribe'>;
/** an existing follower scanned a parametric QR code; eventKey is the scene value */
export type ScanEvent = Event<'SCAN'> & { eventKey: string; ticket?: string };
export type LocationEvent = Event<'LOCATION'> & { latitude: string; longitude: string; precision: string };
export type ClickEvent = Event<'CLICK'> & { eventKey: string };
export type ViewEvent = Event<'VIEW' | 'view_miniprogram'> & { eventKey: string; menuId?: string };
export type ScanCodeEvent = Event<'scancode_push' | 'scancode_waitmsg'> & {
  eventKey: string;
  scanCodeInfo: { scanType: string; scanResult: string };
};
export type PicEvent = Event<'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin'> & {
  eventKey: string;
  sendPicsInfo: { count: string; picList: { picMd5Sum: string }[] };
};
export type LocationSelectEvent = Event<'location_select'> & {
  eventKey: string;
  sendLocationInfo: { locationX: string; locationY: string; scale: string; label: string; poiname: string };
};
/** `MsgID` (capital D) in the XML */
export type TemplateSendJobFinishEvent = Event<'TEMPLATESENDJOBFINISH'> & { msgId: string; status: string };
export type MassSendJobFinishEvent = Event<'MASSSENDJOBFINISH'> & {
  msgId: string;
  status: string;
  totalCount: string;
  filterCount: string;
  sentCount: string;
  errorCount: string;
};
export type SubscribeMsgPopupEvent = Event<'subscribe_msg_popup_event'> & {
  list: { templateId: string; subscribeStatusString: string; popupScene: string }[];
};
export type SubscribeMsgChangeEvent = Event<'subscribe_msg_change_event'> & {
  list: { templateId: string; subscribeStatusString: string }[];
};
export type SubscribeMsgSentEvent = Event<'subscribe_msg_sent_event'> & {
  list: { templateId: string; msgId: string; errorCode: string; errorStatus: string }[];
};

/** A MsgType or Event this code does not model; `raw` has everything. */
export interface UnknownPush extends Common {
  kind: 'unknown';
  event?: string;
}

export type PushMessage =
  | TextMessage
  | ImageMessage
  | VoiceMessage
  | VideoMessage
  | LocationMessage
  | LinkMessage
  | SubscribeEvent
  | UnsubscribeEvent
  | ScanEvent
  | LocationEvent
  | ClickEvent
  | ViewEvent
  | ScanCodeEvent
  | PicEvent
  | LocationSelectEvent
  | TemplateSendJobFinishEvent
  | MassSendJobFinishEvent
  | SubscribeMsgPopupEvent
  | SubscribeMsgChangeEvent
  | SubscribeMsgSentEvent
  | UnknownPush;

export type PushEvent = Extract<PushMessage, { kind: 'event' }>;

/** A string field; the first one if WeChat repeated it; '' when absent or not text. */
function str(x: PushXml | undefined, name: string): string {
  const v: PushValue | undefined = x?.[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
}

const opt = (x: PushXml, name: string): string | undefined => (x[name] === undefined ? undefined : str(x, name));

function obj(x: PushXml | undefined, name: string): PushXml | undefined {
  const v = x?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first !== undefined && typeof first !== 'string' ? first : undefined;
}

/** Records under `name` (xml.ts already made `List`/`item` arrays). */
function records(x: PushXml | undefined, name: string): PushXml[] {
  const v = x?.[name];
  if (v === undefined || typeof v === 'string') return [];
  if (!Array.isArray(v)) return [v];
  return v.filter((e): e is PushXml => typeof e !== 'string');
}

const QR_PREFIX = 'qrscene_';

export function toPushMessage(x: PushXml): PushMessage {
  const createTime = str(x, 'CreateTime');
  const common = { toUserName: str(x, 'ToUserName'), fromUserName: str(x, 'FromUserName'), msgType: str(x, 'MsgType'), raw: x };
  // Without these nothing can be answered or attributed: not a usable push.
  if (!common.toUserName || !common.fromUserName || !common.msgType || !/^\d{1,12}$/.test(createTime)) {
    throw new AppError('WECHAT_XML_INVALID', undefined, { reason: 'missing ToUserName, FromUserName, CreateTime or MsgType' });
  }
  const base = { ...common, createTime: Number(createTime) };
  if (base.msgType === 'event') return toEvent(x, base);

  const m = { ...base, kind: 'message' as const, msgId: str(x, 'MsgId') };
  switch (m.msgType) {
    case 'text': {
      const bizMsgMenuId = opt(x, 'bizmsgmenuid');
      return { ...m, msgType: 'text', content: str(x, 'Content'), ...(bizMsgMenuId !== undefined && { bizMsgMenuId }) };
    }
    case 'image':
      return { ...m, msgType: 'image', picUrl: str(x, 'PicUrl'), mediaId: str(x, 'MediaId') };
    case 'voice': {
      const recognition = opt(x, 'Recognition');
      return { ...m, msgType: 'voice', mediaId: str(x, 'MediaId'), format: str(x, 'Format'), ...(recognition !== undefined && { recognition }) };
    }
    case 'video':
    case 'shortvideo':
      return { ...m, msgType: m.msgType, mediaId: str(x, 'MediaId'), thumbMediaId: str(x, 'ThumbMediaId') };
    case 'location':
      return {
        ...m,
        msgType: 'location',
        locationX: str(x, 'Location_X'),
        locationY: str(x, 'Location_Y'),
        scale: str(x, 'Scale'),
        label: str(x, 'Label'),
      };
    case 'link':
      return { ...m, msgType: 'link', title: str(x, 'Title'), description: str(x, 'Description'), url: str(x, 'Url') };
    default:
      return { ...base, kind: 'unknown' };
  }
}

function toEvent(x: PushXml, base: Common): PushMessage {
  const event = str(x, 'Event');
  const e = { ...base, kind: 'event' as const, msgType: 'event' as const };
  const eventKey = str(x, 'EventKey');
  const ticket = opt(x, 'Ticket');
  const withTicket = ticket !== undefined ? { ticket } : {};
  switch (event) {
    case 'subscribe': {
      const scene = eventKey.startsWith(QR_PREFIX) ? eventKey.slice(QR_PREFIX.length) : null;
      return { ...e, event, eventKey, scene, ...withTicket };
    }
    case 'unsubscribe':
      return { ...e, event };
    case 'SCAN':
      return { ...e, event, eventKey, ...withTicket };
    case 'LOCATION':
      return { ...e, event, latitude: str(x, 'Latitude'), longitude: str(x, 'Longitude'), precision: str(x, 'Precision') };
    case 'CLICK':
      return { ...e, event, eventKey };
    case 'VIEW':
    case 'view_miniprogram': {
      const menuId = opt(x, 'MenuId');
      return { ...e, event, eventKey, ...(menuId !== undefined && { menuId }) };
    }
    case 'scancode_push':
    case 'scancode_waitmsg': {
      const info = obj(x, 'ScanCodeInfo');
      return { ...e, event, eventKey, scanCodeInfo: { scanType: str(info, 'ScanType'), scanResult: str(info, 'ScanResult') } };
    }
    case 'pic_sysphoto':
    case 'pic_photo_or_album':
    case 'pic_weixin': {
      const info = obj(x, 'SendPicsInfo');
      const picList = records(obj(info, 'PicList'), 'item').map((i) => ({ picMd5Sum: str(i, 'PicMd5Sum') }));
      return { ...e, event, eventKey, sendPicsInfo: { count: str(info, 'Count'), picList } };
    }
    case 'location_select': {
      const info = obj(x, 'SendLocationInfo');
      const sendLocationInfo = {
        locationX: str(info, 'Location_X'),
        locationY: str(info, 'Location_Y'),
        scale: str(info, 'Scale'),
        label: str(info, 'Label'),
        poiname: str(info, 'Poiname'),
      };
      return { ...e, event, eventKey, sendLocationInfo };
    }
    case 'TEMPLATESENDJOBFINISH':
      return { ...e, event, msgId: str(x, 'MsgID'), status: str(x, 'Status') };
    case 'MASSSENDJOBFINISH':
      return {
        ...e,
        event,
        msgId: str(x, 'MsgID'),
        status: str(x, 'Status'),
        totalCount: str(x, 'TotalCount'),
        filterCount: str(x, 'FilterCount'),
        sentCount: str(x, 'SentCount'),
        errorCount: str(x, 'ErrorCount'),
      };
    case 'subscribe_msg_popup_event':
      return {
        ...e,
        event,
        list: records(obj(x, 'SubscribeMsgPopupEvent'), 'List').map((l) => ({
          templateId: str(l, 'TemplateId'),
          subscribeStatusString: str(l, 'SubscribeStatusString'),
          popupScene: str(l, 'PopupScene'),
        })),
      };
    case 'subscribe_msg_change_event':
      return {
        ...e,
        event,
        list: records(obj(x, 'SubscribeMsgChangeEvent'), 'List').map((l) => ({
          templateId: str(l, 'TemplateId'),
          subscribeStatusString: str(l, 'SubscribeStatusString'),
        })),
      };
    case 'subscribe_msg_sent_event':
      return {
        ...e,
        event,
        list: records(obj(x, 'SubscribeMsgSentEvent'), 'List').map((l) => ({
          templateId: str(l, 'TemplateId'),
          msgId: str(l, 'MsgID'),
          errorCode: str(l, 'ErrorCode'),
          errorStatus: str(l, 'ErrorStatus'),
        })),
      };
    default:
      return { ...base, kind: 'unknown', event };
  }
}

/**
 * Identity of a push across WeChat's retries (PROTOCOL §2.5): MsgId for ordinary messages;
 * sender + CreateTime + Event + EventKey for events, plus whatever else tells two events of the
 * same second apart (the job's MsgID for send receipts, the template ids for subscribe events).
 */
export function dedupeKey(msg: PushMessage): string {
  const msgId = msg.kind === 'unknown' ? str(msg.raw, 'MsgId') : msg.kind === 'message' ? msg.msgId : '';
  if (msgId) return `msg:${msgId}`;
  const event = str(msg.raw, 'Event') || msg.msgType;
  const key = `evt:${msg.fromUserName}:${msg.createTime}:${event}:${str(msg.raw, 'EventKey')}`;
  const extra = distinguisher(msg);
  return extra ? `${key}:${extra}` : key;
}

function distinguisher(msg: PushMessage): string {
  if (msg.kind !== 'event') return str(msg.raw, 'MsgID');
  switch (msg.event) {
    case 'TEMPLATESENDJOBFINISH':
    case 'MASSSENDJOBFINISH':
      return msg.msgId;
    case 'subscribe_msg_popup_event':
    case 'subscribe_msg_change_event':
      return msg.list.map((l) => `${l.templateId}=${l.subscribeStatusString}`).join(',');
    case 'subscribe_msg_sent_event':
      return msg.list.map((l) => l.msgId).join(',');
    default:
      return '';
  }
}
