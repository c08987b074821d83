import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/http/errors';
import { dedupeKey, toPushMessage, type PushMessage } from '../../../server/wechat/messages';
import { parsePushXml } from '../../../server/wechat/xml';
import { V3 } from './vectors';

const HEAD = '<ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oCitizen]]></FromUserName><CreateTime>1700000000</CreateTime>';
const msg = (type: string, body: string) => toPushMessage(parsePushXml(`<xml>${HEAD}<MsgType><![CDATA[${type}]]></MsgType>${body}</xml>`));
const evt = (event: string, body = '') => msg('event', `<Event><![CDATA[${event}]]></Event>${body}`);
const common = { toUserName: 'gh_account', fromUserName: 'oCitizen', createTime: 1700000000 };

describe('ordinary messages', () => {
  it('text (V3 plaintext): MsgId stays an exact string', () => {
    const m = toPushMessage(parsePushXml(V3.derived.plaintext));
    expect(m).toMatchObject({ kind: 'message', msgType: 'text', content: 'abcdteT', msgId: '6054768590064713728', createTime: 1409735668 });
    expect(m.raw.MsgId).toBe('6054768590064713728');
  });

  it('text with a 64-bit maximum MsgId and a menu-message id', () => {
    const m = msg('text', '<Content><![CDATA[你好]]></Content><MsgId>18446744073709551615</MsgId><bizmsgmenuid>101</bizmsgmenuid>');
    expect(m).toEqual({
      ...common,
      kind: 'message',
      msgType: 'text',
      content: '你好',
      msgId: '18446744073709551615',
      bizMsgMenuId: '101',
      raw: m.raw,
    });
  });

  it('image, voice (with and without recognition), video, shortvideo, location, link', () => {
    expect(msg('image', '<PicUrl><![CDATA[http://p]]></PicUrl><MediaId><![CDATA[m]]></MediaId><MsgId>1</MsgId>')).toMatchObject({
      msgType: 'image',
      picUrl: 'http://p',
      mediaId: 'm',
      msgId: '1',
    });
    const voice = msg('voice', '<MediaId>m</MediaId><Format>amr</Format><MsgId>2</MsgId>');
    expect(voice).toMatchObject({ msgType: 'voice', mediaId: 'm', format: 'amr' });
    expect('recognition' in voice).toBe(false);
    expect(msg('voice', '<MediaId>m</MediaId><Format>amr</Format><Recognition><![CDATA[腾讯]]></Recognition><MsgId>2</MsgId>')).toMatchObject({
      recognition: '腾讯',
    });
    for (const t of ['video', 'shortvideo']) {
      expect(msg(t, '<MediaId>m</MediaId><ThumbMediaId>t</ThumbMediaId><MsgId>3</MsgId>')).toMatchObject({ kind: 'message', msgType: t, thumbMediaId: 't' });
    }
    expect(msg('location', '<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置]]></Label><MsgId>4</MsgId>')).toMatchObject({
      msgType: 'location',
      locationX: '23.134521',
      locationY: '113.358803',
      scale: '20',
      label: '位置',
    });
    expect(msg('link', '<Title>t</Title><Description>d</Description><Url>http://u</Url><MsgId>5</MsgId>')).toMatchObject({
      msgType: 'link',
      title: 't',
      description: 'd',
      url: 'http://u',
    });
  });

  it('unknown message types keep the raw XML', () => {
    const m = msg('miniprogrampage', '<Title>t</Title><MsgId>9</MsgId>');
    expect(m).toMatchObject({ kind: 'unknown', msgType: 'miniprogrampage' });
    expect(m.raw.Title).toBe('t');
  });

  it('refuses pushes without the common envelope', () => {
    const bad = [
      '<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>',
      '<xml><ToUserName>g</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>',
      '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>soon</CreateTime><MsgType>text</MsgType></xml>',
      '<xml><ToUserName>g</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime></xml>',
    ];
    for (const x of bad) {
      expect(() => toPushMessage(parsePushXml(x))).toThrow(AppError);
    }
  });
});

describe('events', () => {
  it('subscribe: plain, empty EventKey, and via parametric QR', () => {
    expect(evt('subscribe')).toMatchObject({ kind: 'event', event: 'subscribe', eventKey: '', scene: null });
    expect(evt('subscribe', '<EventKey><![CDATA[]]></EventKey>')).toMatchObject({ eventKey: '', scene: null });
    const qr = evt('subscribe', '<EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>');
    expect(qr).toMatchObject({ event: 'subscribe', eventKey: 'qrscene_123123', scene: '123123', ticket: 'TICKET' });
  });

  it('unsubscribe, SCAN, LOCATION, CLICK, VIEW with MenuId', () => {
    expect(evt('unsubscribe')).toEqual({ ...common, kind: 'event', msgType: 'event', event: 'unsubscribe', raw: expect.any(Object) });
    expect(evt('SCAN', '<EventKey>123123</EventKey><Ticket>T</Ticket>')).toMatchObject({ event: 'SCAN', eventKey: '123123', ticket: 'T' });
    expect(evt('LOCATION', '<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>')).toMatchObject({
      event: 'LOCATION',
      latitude: '23.137466',
      longitude: '113.352425',
      precision: '119.385040',
    });
    expect(evt('CLICK', '<EventKey><![CDATA[V1001_TODAY_MUSIC]]></EventKey>')).toMatchObject({ event: 'CLICK', eventKey: 'V1001_TODAY_MUSIC' });
    expect(evt('VIEW', '<EventKey><![CDATA[https://x/h5?a=1&b=2]]></EventKey><MenuId>208379533</MenuId>')).toMatchObject({
      event: 'VIEW',
      eventKey: 'https://x/h5?a=1&b=2',
      menuId: '208379533',
    });
  });

  it('scancode_push / scancode_waitmsg with ScanCodeInfo', () => {
    for (const e of ['scancode_push', 'scancode_waitmsg']) {
      expect(evt(e, '<EventKey>k</EventKey><ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>')).toMatchObject({
        event: e,
        eventKey: 'k',
        scanCodeInfo: { scanType: 'qrcode', scanResult: '1' },
      });
    }
  });

  it('pic events with one or several pictures', () => {
    const one = evt('pic_sysphoto', '<EventKey>k</EventKey><SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item></PicList></SendPicsInfo>');
    expect(one).toMatchObject({ event: 'pic_sysphoto', sendPicsInfo: { count: '1', picList: [{ picMd5Sum: 'a' }] } });
    for (const e of ['pic_photo_or_album', 'pic_weixin']) {
      const two = evt(
        e,
        '<EventKey>k</EventKey><SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item><item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo>',
      );
      expect(two).toMatchObject({ event: e, sendPicsInfo: { count: '2', picList: [{ picMd5Sum: 'a' }, { picMd5Sum: 'b' }] } });
    }
  });

  it('location_select with SendLocationInfo', () => {
    expect(
      evt(
        'location_select',
        '<EventKey>k</EventKey><SendLocationInfo><Location_X>23</Location_X><Location_Y>113</Location_Y><Scale>15</Scale><Label><![CDATA[广州]]></Label><Poiname><![CDATA[]]></Poiname></SendLocationInfo>',
      ),
    ).toMatchObject({ event: 'location_select', sendLocationInfo: { locationX: '23', locationY: '113', scale: '15', label: '广州', poiname: '' } });
  });

  it('TEMPLATESENDJOBFINISH and MASSSENDJOBFINISH use MsgID (capital D)', () => {
    expect(evt('TEMPLATESENDJOBFINISH', '<MsgID>3487542469355618313</MsgID><Status><![CDATA[failed: system failed]]></Status>')).toMatchObject({
      event: 'TEMPLATESENDJOBFINISH',
      msgId: '3487542469355618313',
      status: 'failed: system failed',
    });
    expect(
      evt('MASSSENDJOBFINISH', '<MsgID>1988</MsgID><Status>send success</Status><TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount><ErrorCount>5</ErrorCount>'),
    ).toMatchObject({ msgId: '1988', status: 'send success', totalCount: '100', filterCount: '80', sentCount: '75', errorCount: '5' });
  });

  it('subscribe_msg_* events with one or several List entries', () => {
    const one = evt(
      'subscribe_msg_popup_event',
      '<SubscribeMsgPopupEvent><List><TemplateId>t1</TemplateId><SubscribeStatusString>accept</SubscribeStatusString><PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>',
    );
    expect(one).toMatchObject({ list: [{ templateId: 't1', subscribeStatusString: 'accept', popupScene: '2' }] });
    const two = evt(
      'subscribe_msg_popup_event',
      '<SubscribeMsgPopupEvent><List><TemplateId>t1</TemplateId><SubscribeStatusString>accept</SubscribeStatusString><PopupScene>1</PopupScene></List><List><TemplateId>t2</TemplateId><SubscribeStatusString>reject</SubscribeStatusString><PopupScene>1</PopupScene></List></SubscribeMsgPopupEvent>',
    );
    expect(two).toMatchObject({ list: [{ templateId: 't1' }, { templateId: 't2', subscribeStatusString: 'reject' }] });
    expect(
      evt('subscribe_msg_change_event', '<SubscribeMsgChangeEvent><List><TemplateId>t</TemplateId><SubscribeStatusString>reject</SubscribeStatusString></List></SubscribeMsgChangeEvent>'),
    ).toMatchObject({ list: [{ templateId: 't', subscribeStatusString: 'reject' }] });
    expect(
      evt(
        'subscribe_msg_sent_event',
        '<SubscribeMsgSentEvent><List><TemplateId>t</TemplateId><MsgID>1700000000</MsgID><ErrorCode>0</ErrorCode><ErrorStatus>success</ErrorStatus></List></SubscribeMsgSentEvent>',
      ),
    ).toMatchObject({ list: [{ templateId: 't', msgId: '1700000000', errorCode: '0', errorStatus: 'success' }] });
  });

  it('unknown events keep the raw XML and the event name', () => {
    const m = evt('user_enter_tempsession', '<SessionFrom>x</SessionFrom>');
    expect(m).toMatchObject({ kind: 'unknown', msgType: 'event', event: 'user_enter_tempsession' });
    expect(m.raw.SessionFrom).toBe('x');
  });

  it('event names are case-sensitive', () => {
    expect(evt('click', '<EventKey>k</EventKey>').kind).toBe('unknown');
  });
});

describe('dedupeKey', () => {
  it('ordinary messages: MsgId', () => {
    expect(dedupeKey(msg('text', '<Content>a</Content><MsgId>6054768590064713728</MsgId>'))).toBe('msg:6054768590064713728');
  });

  it('events: sender, time, event and key; the same for a retry', () => {
    const click = () => evt('CLICK', '<EventKey>K1</EventKey>');
    expect(dedupeKey(click())).toBe('evt:oCitizen:1700000000:CLICK:K1');
    expect(dedupeKey(click())).toBe(dedupeKey(click()));
    expect(dedupeKey(evt('CLICK', '<EventKey>K2</EventKey>'))).not.toBe(dedupeKey(click()));
    expect(dedupeKey(evt('unsubscribe'))).toBe('evt:oCitizen:1700000000:unsubscribe:');
  });

  it('two template receipts in the same second differ by MsgID', () => {
    const a = evt('TEMPLATESENDJOBFINISH', '<MsgID>111</MsgID><Status>success</Status>');
    const b = evt('TEMPLATESENDJOBFINISH', '<MsgID>222</MsgID><Status>success</Status>');
    expect(dedupeKey(a)).toBe('evt:oCitizen:1700000000:TEMPLATESENDJOBFINISH::111');
    expect(dedupeKey(a)).not.toBe(dedupeKey(b));
  });

  it('subscribe-message events in the same second differ by their templates', () => {
    const p = (t: string) =>
      evt('subscribe_msg_popup_event', `<SubscribeMsgPopupEvent><List><TemplateId>${t}</TemplateId><SubscribeStatusString>accept</SubscribeStatusString></List></SubscribeMsgPopupEvent>`);
    expect(dedupeKey(p('a'))).not.toBe(dedupeKey(p('b')));
  });

  it('unknown pushes use MsgId when they have one, else the event form', () => {
    expect(dedupeKey(msg('miniprogrampage', '<MsgId>77</MsgId>'))).toBe('msg:77');
    expect(dedupeKey(evt('user_enter_tempsession'))).toBe('evt:oCitizen:1700000000:user_enter_tempsession:');
  });

  it('narrows by kind and event for callers', () => {
    const m: PushMessage = evt('CLICK', '<EventKey>K</EventKey>');
    const key = m.kind === 'event' && m.event === 'CLICK' ? m.eventKey : null;
    expect(key).toBe('K');
  });
});
