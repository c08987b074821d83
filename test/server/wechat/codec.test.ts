import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../../server/http/errors';
import { createAesCipher } from '../../../server/wechat/aes';
import { openPush, openReply, sealPush, sealReply, verifyUrl, type CodecConfig, type OpenedPush } from '../../../server/wechat/codec';
import { buildPassiveReply } from '../../../server/wechat/replies';
import { sha1Sorted } from '../../../server/wechat/signature';
import { parsePushXml } from '../../../server/wechat/xml';
import { V1, V3, V6, V9 } from './vectors';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const KEY_NEW = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const APPID = 'wx5andb0x0000000a';
const NOW = 1_700_000_000_000;
const cfg = (over: Partial<CodecConfig> = {}): CodecConfig => ({ token: 'sandboxtoken', appId: APPID, aesKey: KEY, mode: 'safe', timestampToleranceS: 300, ...over });

const PUSH =
  '<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oCitizen]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[查违章 ]]>]]></Content><MsgId>18446744073709551615</MsgId></xml>';

function code(fn: () => unknown): ErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('verifyUrl', () => {
  const q = { signature: V6.signature, timestamp: V6.timestamp, nonce: V6.nonce, echostr: V6.echostr };
  const v6 = cfg({ token: V6.token, timestampToleranceS: 0 });

  it('V6: answers the raw echostr, in every mode', () => {
    for (const mode of ['plain', 'compat', 'safe'] as const) expect(verifyUrl(q, { ...v6, mode }, NOW)).toBe(V6.echostr);
    expect(verifyUrl(q, { ...v6, timestampToleranceS: 60 }, Number(V6.timestamp) * 1000 + 59_000)).toBe(V6.echostr);
  });

  it('refuses a wrong or missing signature and missing parameters', () => {
    expect(code(() => verifyUrl({ ...q, signature: V6.signature.replace(/.$/, '0') }, v6, NOW))).toBe('WECHAT_SIGNATURE_INVALID');
    expect(code(() => verifyUrl({ ...q, nonce: '1' }, v6, NOW))).toBe('WECHAT_SIGNATURE_INVALID');
    for (const k of ['signature', 'timestamp', 'nonce', 'echostr'] as const) {
      expect(code(() => verifyUrl({ ...q, [k]: undefined }, v6, NOW))).toBe('WECHAT_SIGNATURE_INVALID');
    }
  });

  it('applies the timestamp window', () => {
    expect(code(() => verifyUrl(q, { ...v6, timestampToleranceS: 300 }, NOW))).toBe('WECHAT_TIMESTAMP_STALE');
  });
});

describe('openPush: published vectors', () => {
  it('V1: safe-mode wrapper around afterAesEncrypt2 (signature and msg_signature DERIVED)', () => {
    const c = cfg({ token: V1.token, appId: V1.appId, aesKey: V1.encodingAesKey, timestampToleranceS: 0 });
    const query = { signature: V1.derived.signature, timestamp: V1.timestamp, nonce: V1.nonce, encrypt_type: 'aes', msg_signature: V1.derived.msgSignature2 };
    const opened = openPush({ query, body: V1.wrapper(V1.afterAesEncrypt2), cfg: c, nowMs: NOW });
    expect(opened).toMatchObject({ encrypted: true, keyUsed: 'current', timestamp: V1.timestamp, nonce: V1.nonce });
    expect(opened.xml).toEqual(parsePushXml(V1.replyMsg2));
    expect(opened.xml.ToUserName).toBe('oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw');
    // case 1's plaintext is not XML: authentic and decryptable, but not a push
    const q1 = { ...query, msg_signature: V1.derived.msgSignature1 };
    expect(code(() => openPush({ query: q1, body: V1.wrapper(V1.afterAesEncrypt), cfg: c, nowMs: NOW }))).toBe('WECHAT_XML_INVALID');
  });

  const v3 = cfg({ token: V3.token, appId: V3.appId, aesKey: V3.encodingAesKey, timestampToleranceS: 0 });
  const v3Query = {
    signature: sha1Sorted([V3.token, V3.timestamp, V3.nonce]),
    timestamp: V3.timestamp,
    nonce: V3.nonce,
    openid: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
    encrypt_type: 'aes',
    msg_signature: V3.msgSign,
  };

  it('V3: compatible-mode body opens to the decrypted content in every mode', () => {
    for (const mode of ['plain', 'compat', 'safe'] as const) {
      const opened = openPush({ query: v3Query, body: V3.fromXml, cfg: { ...v3, mode }, nowMs: NOW });
      expect(opened.encrypted).toBe(true);
      expect(opened.xml).toEqual(parsePushXml(V3.derived.plaintext));
      expect(opened.xml.MsgId).toBe('6054768590064713728');
      expect(opened.xml.Encrypt).toBeUndefined();
    }
  });

  it('V3 without encrypt_type: plaintext accepted in plain/compat, refused in safe mode', () => {
    const { encrypt_type: _e, msg_signature: _m, ...plainQuery } = v3Query;
    for (const mode of ['plain', 'compat'] as const) {
      const opened = openPush({ query: plainQuery, body: V3.fromXml, cfg: { ...v3, mode }, nowMs: NOW });
      expect(opened).toMatchObject({ encrypted: false, keyUsed: null });
      expect(opened.xml.Content).toBe('abcdteT');
    }
    expect(code(() => openPush({ query: plainQuery, body: V3.fromXml, cfg: v3, nowMs: NOW }))).toBe('WECHAT_ENCRYPTION_REQUIRED');
    expect(code(() => openPush({ query: { ...plainQuery, encrypt_type: 'raw' }, body: V3.fromXml, cfg: v3, nowMs: NOW }))).toBe('WECHAT_ENCRYPTION_REQUIRED');
  });

  it('V3 with a wrong AppID configured is refused', () => {
    expect(code(() => openPush({ query: v3Query, body: V3.fromXml, cfg: { ...v3, appId: 'wx0000000000000000' }, nowMs: NOW }))).toBe('WECHAT_APPID_MISMATCH');
  });

  it('V9: WeCom-style encrypted push (corp id as the trailing id)', () => {
    const d = V9.decryptMessage;
    const c = cfg({ token: V9.token, appId: V9.corpId, aesKey: V9.encodingAesKey, timestampToleranceS: 0 });
    const query = { signature: sha1Sorted([V9.token, d.timestamp, d.nonce]), timestamp: d.timestamp, nonce: d.nonce, encrypt_type: 'aes', msg_signature: d.msgSignature };
    const opened = openPush({ query, body: d.body, cfg: c, nowMs: NOW });
    expect(opened.xml).toEqual(parsePushXml(d.derivedPlaintext));
    expect(opened.xml).toMatchObject({ Content: 'test', FromUserName: 'messense', MsgId: '4363689963896700987' });
  });
});

describe('sealReply: published vectors', () => {
  it('V9 encrypt_message: same Encrypt, MsgSignature, TimeStamp and Nonce as published', () => {
    const e = V9.encryptMessage;
    const c = cfg({ token: V9.token, appId: V9.corpId, aesKey: V9.encodingAesKey });
    const opened: OpenedPush = { xml: {}, encrypted: true, keyUsed: 'current', replayKey: 'x', timestamp: e.timestamp, nonce: e.nonce };
    const body = sealReply(e.reply, opened, c, Number(e.timestamp) * 1000 + 999, undefined, Buffer.from(e.random));
    expect(parsePushXml(body)).toEqual(parsePushXml(e.expected));
    expect(body).toBe(
      `<xml><Encrypt><![CDATA[${e.encrypt}]]></Encrypt><MsgSignature><![CDATA[${e.msgSignature}]]></MsgSignature><TimeStamp>${e.timestamp}</TimeStamp><Nonce><![CDATA[${e.nonce}]]></Nonce></xml>`,
    );
    // and the platform side reads it back
    expect(openReply(e.expected, c).xml).toEqual(parsePushXml(e.reply));
  });

  it('V1: the sample reply opens on the platform side', () => {
    const c = cfg({ token: V1.token, appId: V1.appId, aesKey: V1.encodingAesKey });
    const envelope = `<xml><Encrypt><![CDATA[${V1.afterAesEncrypt2}]]></Encrypt><MsgSignature><![CDATA[${V1.derived.msgSignature2}]]></MsgSignature><TimeStamp>${V1.timestamp}</TimeStamp><Nonce><![CDATA[${V1.nonce}]]></Nonce></xml>`;
    expect(openReply(envelope, c)).toEqual({ xml: parsePushXml(V1.replyMsg2), encrypted: true });
  });
});

describe('openPush: modes × forms', () => {
  const forms = ['plain', 'compat', 'safe'] as const;
  const sealed = (form: (typeof forms)[number]) => sealPush({ xml: PUSH, cfg: cfg({ mode: form }), nowMs: NOW, nonce: '123456789' });
  const expected: Record<CodecConfig['mode'], Record<(typeof forms)[number], ErrorCode | 'none'>> = {
    plain: { plain: 'none', compat: 'none', safe: 'none' },
    compat: { plain: 'none', compat: 'none', safe: 'none' },
    safe: { plain: 'WECHAT_ENCRYPTION_REQUIRED', compat: 'none', safe: 'none' },
  };

  for (const mode of forms) {
    for (const form of forms) {
      it(`${mode}-mode account, ${form}-form push → ${expected[mode][form]}`, () => {
        const { query, body } = sealed(form);
        const c = cfg({ mode });
        expect(code(() => openPush({ query, body, cfg: c, nowMs: NOW }))).toBe(expected[mode][form]);
        if (expected[mode][form] === 'none') {
          const opened = openPush({ query, body, cfg: c, nowMs: NOW });
          expect(opened.xml).toEqual(parsePushXml(PUSH));
          expect(opened.encrypted).toBe(form !== 'plain');
          expect(opened.keyUsed).toBe(form === 'plain' ? null : 'current');
        }
      });
    }
  }

  it('plain-mode account without a key: encrypted pushes cannot be decrypted', () => {
    const { query, body } = sealed('safe');
    expect(code(() => openPush({ query, body, cfg: cfg({ mode: 'plain', aesKey: undefined }), nowMs: NOW }))).toBe('WECHAT_DECRYPT_FAILED');
    const plain = sealed('plain');
    expect(code(() => openPush({ ...plain, cfg: cfg({ mode: 'plain', aesKey: undefined }), nowMs: NOW }))).toBe('none');
  });

  it('an unknown encrypt_type is not treated as plaintext', () => {
    const { query, body } = sealed('safe');
    expect(code(() => openPush({ query: { ...query, encrypt_type: 'des' }, body, cfg: cfg({ mode: 'compat' }), nowMs: NOW }))).toBe('WECHAT_DECRYPT_FAILED');
  });
});

describe('openPush: refusals', () => {
  const { query, body } = sealPush({ xml: PUSH, cfg: cfg(), nowMs: NOW, nonce: '42' });
  const open = (q: Record<string, string | undefined>, b = body, c = cfg()) => code(() => openPush({ query: q, body: b, cfg: c, nowMs: NOW }));

  it('missing parameters', () => {
    for (const k of ['signature', 'timestamp', 'nonce', 'msg_signature']) expect(open({ ...query, [k]: undefined })).toBe('WECHAT_SIGNATURE_INVALID');
    expect(open({ ...query, signature: '' })).toBe('WECHAT_SIGNATURE_INVALID');
  });

  it('repeated query parameters (arrays at runtime)', () => {
    for (const k of ['signature', 'timestamp', 'msg_signature', 'encrypt_type']) {
      const q = { ...query, [k]: [query[k], query[k]] } as unknown as Record<string, string>;
      expect(open(q)).toBe('WECHAT_SIGNATURE_INVALID');
    }
  });

  it('a wrong signature even when msg_signature is right, and vice versa', () => {
    expect(open({ ...query, signature: sha1Sorted(['other', query.timestamp ?? '', query.nonce ?? '']) })).toBe('WECHAT_SIGNATURE_INVALID');
    expect(open({ ...query, msg_signature: query.signature })).toBe('WECHAT_SIGNATURE_INVALID');
    expect(open(query, body, cfg({ token: 'othertoken' }))).toBe('WECHAT_SIGNATURE_INVALID');
  });

  it('tampered ciphertext: msg_signature catches it; with a re-signed tamper, decryption does', () => {
    const encrypt = String(parsePushXml(body).Encrypt);
    const bytes = Buffer.from(encrypt, 'base64');
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0x01, bytes.length - 1);
    const tampered = bytes.toString('base64');
    const tamperedBody = body.replace(encrypt, tampered);
    expect(open(query, tamperedBody)).toBe('WECHAT_SIGNATURE_INVALID');
    const resigned = { ...query, msg_signature: sha1Sorted([cfg().token, query.timestamp ?? '', query.nonce ?? '', tampered]) };
    expect(open(resigned, tamperedBody)).toBe('WECHAT_DECRYPT_FAILED');
  });

  it('an encrypted push without Encrypt, and a body that is not XML', () => {
    const noEncrypt = '<xml><ToUserName><![CDATA[gh_account]]></ToUserName></xml>';
    expect(open(query, noEncrypt)).toBe('WECHAT_DECRYPT_FAILED');
    expect(open(query, '{"Encrypt":"x"}')).toBe('WECHAT_XML_INVALID');
    const plain = sealPush({ xml: PUSH, cfg: cfg({ mode: 'plain' }), nowMs: NOW });
    expect(open(plain.query, '<!DOCTYPE x [<!ENTITY a "b">]><xml/>', cfg({ mode: 'plain' }))).toBe('WECHAT_XML_INVALID');
  });

  it('a push for another account (wrong AppID in the ciphertext)', () => {
    const other = sealPush({ xml: PUSH, cfg: cfg({ appId: 'wxffffffffffffffff' }), nowMs: NOW });
    expect(code(() => openPush({ ...other, cfg: cfg(), nowMs: NOW }))).toBe('WECHAT_APPID_MISMATCH');
    expect(code(() => openPush({ ...other, cfg: cfg({ aesKey: KEY_NEW, aesKeyPrevious: KEY }), nowMs: NOW }))).toBe('WECHAT_APPID_MISMATCH');
  });

  it('a key that is not ours', () => {
    expect(code(() => openPush({ query, body, cfg: cfg({ aesKey: KEY_NEW }), nowMs: NOW }))).toBe('WECHAT_DECRYPT_FAILED');
  });

  it('an empty token is a configuration error, never a pass', () => {
    expect(() => openPush({ query, body, cfg: cfg({ token: '' }), nowMs: NOW })).toThrow(/token/);
  });
});

describe('openPush: timestamp window', () => {
  const at = (sec: number) => sealPush({ xml: PUSH, cfg: cfg(), nowMs: sec * 1000, nonce: '1' });
  const now = NOW / 1000;

  it('accepts up to the tolerance either way, refuses beyond', () => {
    expect(code(() => openPush({ ...at(now - 300), cfg: cfg(), nowMs: NOW + 999 }))).toBe('none');
    expect(code(() => openPush({ ...at(now + 300), cfg: cfg(), nowMs: NOW }))).toBe('none');
    expect(code(() => openPush({ ...at(now - 301), cfg: cfg(), nowMs: NOW }))).toBe('WECHAT_TIMESTAMP_STALE');
    expect(code(() => openPush({ ...at(now + 301), cfg: cfg(), nowMs: NOW }))).toBe('WECHAT_TIMESTAMP_STALE');
  });

  it('tolerance 0 turns the window off', () => {
    expect(code(() => openPush({ ...at(1409304348), cfg: cfg({ timestampToleranceS: 0 }), nowMs: NOW }))).toBe('none');
    expect(code(() => openPush({ ...at(now + 86_400 * 365), cfg: cfg({ timestampToleranceS: 0 }), nowMs: NOW }))).toBe('none');
  });

  it('a non-numeric (but signed) timestamp is stale; an unsigned stale one is a signature failure', () => {
    const c = cfg({ mode: 'plain' });
    const query = { signature: sha1Sorted([c.token, 'soon', 'n']), timestamp: 'soon', nonce: 'n' };
    expect(code(() => openPush({ query, body: PUSH, cfg: c, nowMs: NOW }))).toBe('WECHAT_TIMESTAMP_STALE');
    const stale = at(now - 1000);
    expect(code(() => openPush({ query: { ...stale.query, signature: '0'.repeat(40) }, body: stale.body, cfg: cfg(), nowMs: NOW }))).toBe('WECHAT_SIGNATURE_INVALID');
  });
});

describe('openPush: replayKey', () => {
  it('is stable for the same signed request and differs for another', () => {
    const a = sealPush({ xml: PUSH, cfg: cfg(), nowMs: NOW, nonce: '1' });
    const b = sealPush({ xml: PUSH, cfg: cfg(), nowMs: NOW, nonce: '2' });
    const k = (s: typeof a) => openPush({ ...s, cfg: cfg(), nowMs: NOW }).replayKey;
    expect(k(a)).toMatch(/^[0-9a-f]{40}$/);
    expect(k(a)).toBe(k(a));
    expect(k(a)).not.toBe(k(b));
  });

  it('plain mode: same signed triple with another body is the same request', () => {
    const c = cfg({ mode: 'plain' });
    const s = sealPush({ xml: PUSH, cfg: c, nowMs: NOW, nonce: '7' });
    const forged = PUSH.replace('查违章', '别的');
    expect(openPush({ query: s.query, body: forged, cfg: c, nowMs: NOW }).replayKey).toBe(openPush({ ...s, cfg: c, nowMs: NOW }).replayKey);
  });
});

describe('key rotation', () => {
  it('a push under the previous key opens with it, and the reply is sealed with it', () => {
    const pushed = sealPush({ xml: PUSH, cfg: cfg({ aesKey: KEY }), nowMs: NOW, nonce: '9' });
    const ours = cfg({ aesKey: KEY_NEW, aesKeyPrevious: KEY });
    const opened = openPush({ ...pushed, cfg: ours, nowMs: NOW });
    expect(opened.keyUsed).toBe('previous');
    const reply = buildPassiveReply({ toUser: 'oCitizen', fromUser: 'gh_account', createTime: 1700000000, reply: { type: 'text', content: '已收到' } });
    const body = sealReply(reply, opened, ours, NOW);
    const encrypt = String(parsePushXml(body).Encrypt);
    expect(createAesCipher(KEY).decrypt(encrypt).message).toBe(reply);
    expect(code(() => createAesCipher(KEY_NEW).decrypt(encrypt))).toBe('WECHAT_DECRYPT_FAILED');
    expect(openReply(body, cfg({ aesKey: KEY })).xml.Content).toBe('已收到');
  });

  it('a push under the current key uses the current key even when a previous one is set', () => {
    const ours = cfg({ aesKey: KEY_NEW, aesKeyPrevious: KEY });
    const opened = openPush({ ...sealPush({ xml: PUSH, cfg: ours, nowMs: NOW }), cfg: ours, nowMs: NOW });
    expect(opened.keyUsed).toBe('current');
    const body = sealReply('<xml><A>1</A></xml>', opened, ours, NOW);
    expect(createAesCipher(KEY_NEW).decrypt(String(parsePushXml(body).Encrypt)).message).toBe('<xml><A>1</A></xml>');
  });

  it('sealing with a key that is no longer configured is a programming error', () => {
    const opened: OpenedPush = { xml: {}, encrypted: true, keyUsed: 'previous', replayKey: '', timestamp: '1', nonce: '1' };
    expect(() => sealReply('<xml/>', opened, cfg(), NOW)).toThrow(/no longer configured/);
  });
});

describe('sealPush', () => {
  it('plain: signature, timestamp, nonce, openid; the body untouched', () => {
    const s = sealPush({ xml: PUSH, cfg: cfg({ mode: 'plain' }), nowMs: NOW + 500, nonce: 'n1' });
    expect(s.query).toEqual({ signature: sha1Sorted(['sandboxtoken', '1700000000', 'n1']), timestamp: '1700000000', nonce: 'n1', openid: 'oCitizen' });
    expect(s.body).toBe(PUSH);
  });

  it('compat: plaintext fields plus Encrypt; encrypt_type and msg_signature added', () => {
    const s = sealPush({ xml: PUSH, cfg: cfg({ mode: 'compat' }), nowMs: NOW, nonce: 'n2' });
    expect(Object.keys(s.query).sort()).toEqual(['encrypt_type', 'msg_signature', 'nonce', 'openid', 'signature', 'timestamp']);
    expect(s.query.encrypt_type).toBe('aes');
    expect(s.query.signature).toBe(sha1Sorted(['sandboxtoken', '1700000000', 'n2']));
    const outer = parsePushXml(s.body);
    const { Encrypt, ...plain } = outer;
    expect(plain).toEqual(parsePushXml(PUSH));
    expect(s.query.msg_signature).toBe(sha1Sorted(['sandboxtoken', '1700000000', 'n2', String(Encrypt)]));
    expect(createAesCipher(KEY).decrypt(String(Encrypt))).toEqual({ message: PUSH, appId: APPID });
  });

  it('safe: only ToUserName and Encrypt', () => {
    const s = sealPush({ xml: PUSH, cfg: cfg(), nowMs: NOW });
    expect(Object.keys(parsePushXml(s.body))).toEqual(['ToUserName', 'Encrypt']);
    expect(parsePushXml(s.body).ToUserName).toBe('gh_account');
    expect(s.query.nonce).toMatch(/^\d+$/);
  });

  it('encrypted modes need a key', () => {
    expect(() => sealPush({ xml: PUSH, cfg: cfg({ aesKey: undefined }), nowMs: NOW })).toThrow(/AES key/);
  });

  it('round-trips through openPush in all three modes', () => {
    for (const mode of ['plain', 'compat', 'safe'] as const) {
      const c = cfg({ mode });
      const opened = openPush({ ...sealPush({ xml: PUSH, cfg: c, nowMs: NOW }), cfg: c, nowMs: NOW + 2000 });
      expect(opened.xml).toEqual(parsePushXml(PUSH));
      expect(opened.xml.MsgId).toBe('18446744073709551615');
      expect(opened.xml.Content).toBe('查违章 ]]>');
    }
  });
});

describe('sealReply → openReply', () => {
  const reply = buildPassiveReply({ toUser: 'oCitizen', fromUser: 'gh_account', createTime: 1700000000, reply: { type: 'text', content: 'a]]>b 你好' } });

  it('plaintext push: the reply goes out as is', () => {
    const c = cfg({ mode: 'compat' });
    const opened = openPush({ ...sealPush({ xml: PUSH, cfg: { ...c, mode: 'plain' }, nowMs: NOW }), cfg: c, nowMs: NOW });
    expect(sealReply(reply, opened, c, NOW)).toBe(reply);
    expect(openReply(reply, c)).toEqual({ xml: parsePushXml(reply), encrypted: false });
  });

  it('encrypted push: the envelope carries bare seconds, the push nonce, a valid MsgSignature', () => {
    const c = cfg();
    const opened = openPush({ ...sealPush({ xml: PUSH, cfg: c, nowMs: NOW, nonce: '415670741' }), cfg: c, nowMs: NOW });
    const body = sealReply(reply, opened, c, NOW + 1234);
    const env = parsePushXml(body);
    expect(Object.keys(env)).toEqual(['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce']);
    expect(body).toContain('<TimeStamp>1700000001</TimeStamp>');
    expect(env.Nonce).toBe('415670741');
    expect(env.MsgSignature).toBe(sha1Sorted([c.token, '1700000001', '415670741', String(env.Encrypt)]));
    expect(openReply(body, c)).toEqual({ xml: parsePushXml(reply), encrypted: true });
    expect(sealReply(reply, opened, c, NOW, 'othernonce')).toContain('<Nonce><![CDATA[othernonce]]></Nonce>');
  });

  it('no-reply bodies are never encrypted', () => {
    const c = cfg();
    const opened = openPush({ ...sealPush({ xml: PUSH, cfg: c, nowMs: NOW }), cfg: c, nowMs: NOW });
    expect(sealReply('success', opened, c, NOW)).toBe('success');
    expect(sealReply('', opened, c, NOW)).toBe('');
  });

  it('the platform refuses a bad MsgSignature, a wrong AppID, and plaintext in safe mode', () => {
    const c = cfg();
    const opened = openPush({ ...sealPush({ xml: PUSH, cfg: c, nowMs: NOW }), cfg: c, nowMs: NOW });
    const body = sealReply(reply, opened, c, NOW);
    const sig = String(parsePushXml(body).MsgSignature);
    expect(code(() => openReply(body.replace(sig, sig.replace(/^./, sig.startsWith('0') ? '1' : '0')), c))).toBe('WECHAT_SIGNATURE_INVALID');
    expect(code(() => openReply(body.replace(/<Nonce>.*<\/Nonce>/, ''), c))).toBe('WECHAT_SIGNATURE_INVALID');
    expect(code(() => openReply(sealReply(reply, opened, { ...c, appId: 'wxffffffffffffffff' }, NOW), c))).toBe('WECHAT_APPID_MISMATCH');
    expect(code(() => openReply(reply, c))).toBe('WECHAT_ENCRYPTION_REQUIRED');
    expect(code(() => openReply('success', c))).toBe('WECHAT_XML_INVALID');
  });
});
