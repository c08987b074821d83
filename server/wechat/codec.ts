import { createHash, randomInt } from 'node:crypto';
import { AppError, isAppError } from '../http/errors';
import { createAesCipher, type AesCipher } from './aes';
import { isNoReply } from './replies';
import { sha1Sorted, signatureOk } from './signature';
import { buildXml, cdata, parsePushXml, type PushXml } from './xml';

/**
 * The callback envelope in both directions (PROTOCOL §1): URL verification, opening a push in
 * any of the three modes, sealing our reply; and, for the platform simulator, what WeChat sends
 * and how it reads our reply.
 */
export interface CodecConfig {
  token: string;
  appId: string;
  aesKey?: string;
  /** the key before the last rotation; pushes may still arrive encrypted with it */
  aesKeyPrevious?: string;
  mode: 'plain' | 'compat' | 'safe';
  /** 0 = no timestamp window */
  timestampToleranceS: number;
}

type Query = Record<string, string | undefined>;

/** GET URL verification: always the plain signature, even in safe mode (PROTOCOL §1.2). */
export function verifyUrl(query: Query, cfg: CodecConfig, nowMs: number): string {
  const echostr = param(query, 'echostr');
  if (echostr === undefined) throw new AppError('WECHAT_SIGNATURE_INVALID');
  checkSignature(query, cfg, nowMs);
  return echostr;
}

export interface OpenedPush {
  xml: PushXml;
  encrypted: boolean;
  /** which AES key decrypted it; the reply must be sealed with the same one */
  keyUsed: 'current' | 'previous' | null;
  /** stable id of this signed request, for refusing replays */
  replayKey: string;
  timestamp: string;
  nonce: string;
}

export function openPush(input: { query: Query; body: string; cfg: CodecConfig; nowMs: number }): OpenedPush {
  const { query, body, cfg, nowMs } = input;
  // `signature` covers only token/timestamp/nonce, never the body; it is checked in every mode
  // because WeChat always sends it, but an encrypted body is authenticated by msg_signature.
  const { signature, timestamp, nonce } = checkSignature(query, cfg, nowMs);
  const msgSignature = param(query, 'msg_signature') ?? '';
  const replayKey = createHash('sha1').update(`${signature}|${msgSignature}|${timestamp}|${nonce}`, 'utf8').digest('hex');
  const base = { replayKey, timestamp, nonce };

  const encryptType = param(query, 'encrypt_type') ?? 'raw';
  if (encryptType === 'raw') {
    if (cfg.mode === 'safe') throw new AppError('WECHAT_ENCRYPTION_REQUIRED');
    return { ...base, xml: parsePushXml(body), encrypted: false, keyUsed: null };
  }
  if (encryptType !== 'aes') throw new AppError('WECHAT_DECRYPT_FAILED', 'Unsupported encrypt_type.');

  if (!msgSignature) throw new AppError('WECHAT_SIGNATURE_INVALID');
  const encrypt = encryptField(parsePushXml(body));
  if (!signatureOk([cfg.token, timestamp, nonce, encrypt], msgSignature)) throw new AppError('WECHAT_SIGNATURE_INVALID');
  // In compat mode the body also has the plaintext fields; the decrypted copy is the authentic one.
  const { message, keyUsed } = decryptWithRotation(encrypt, cfg);
  return { ...base, xml: parsePushXml(message), encrypted: true, keyUsed };
}

/**
 * The body to answer a push with: as is for a plaintext push; for an encrypted one, the
 * encrypted envelope (PROTOCOL §1.6) under the key that opened the push. The no-reply bodies
 * ('' and 'success') are never encrypted.
 */
export function sealReply(replyXml: string, opened: OpenedPush, cfg: CodecConfig, nowMs: number, nonce?: string, random16?: Buffer): string {
  if (!opened.encrypted || isNoReply(replyXml)) return replyXml;
  const key = opened.keyUsed === 'previous' ? cfg.aesKeyPrevious : cfg.aesKey;
  if (!key) throw new Error('the AES key that opened this push is no longer configured');
  return envelope(cipherFor(key).encrypt(replyXml, cfg.appId, random16), cfg.token, seconds(nowMs), nonce ?? opened.nonce);
}

/** One cipher per key (a process knows two or three): the key checks and decoding once, not per push. */
const ciphers = new Map<string, AesCipher>();
function cipherFor(key: string): AesCipher {
  let c = ciphers.get(key);
  if (!c) {
    c = createAesCipher(key);
    if (ciphers.size >= 16) ciphers.clear(); // tests build many configs; never grow without bound
    ciphers.set(key, c);
  }
  return c;
}

/**
 * What WeChat sends for this account's mode (used by the platform simulator): `signature`,
 * `timestamp`, `nonce` and `openid` always; encrypted modes add `encrypt_type=aes` and
 * `msg_signature`. Compat keeps every plaintext field and appends `Encrypt`; safe sends only
 * `ToUserName` and `Encrypt`.
 */
export interface PushAddress {
  fromUserName: string;
  toUserName: string;
}

export function sealPush(input: { xml: string; cfg: CodecConfig; nowMs: number; nonce?: string; known?: PushAddress }): { query: Record<string, string>; body: string } {
  const { xml, cfg, nowMs } = input;
  // The simulator builds the XML itself and passes the two names; parse only when they are not given.
  const parsed = input.known ? { FromUserName: input.known.fromUserName, ToUserName: input.known.toUserName } : parsePushXml(xml);
  const timestamp = seconds(nowMs);
  const nonce = input.nonce ?? String(randomInt(100_000_000, 10_000_000_000));
  const openid = typeof parsed.FromUserName === 'string' ? parsed.FromUserName : '';
  const query: Record<string, string> = { signature: sha1Sorted([cfg.token, timestamp, nonce]), timestamp, nonce, openid };
  if (cfg.mode === 'plain') return { query, body: xml };

  if (!cfg.aesKey) throw new Error(`an AES key is needed to seal a ${cfg.mode}-mode push`);
  const encrypt = cipherFor(cfg.aesKey).encrypt(xml, cfg.appId);
  const sealed = { ...query, encrypt_type: 'aes', msg_signature: sha1Sorted([cfg.token, timestamp, nonce, encrypt]) };
  if (cfg.mode === 'safe') {
    const toUserName = typeof parsed.ToUserName === 'string' ? parsed.ToUserName : '';
    return { query: sealed, body: buildXml({ ToUserName: toUserName, Encrypt: encrypt }) };
  }
  const close = xml.lastIndexOf('</xml>');
  if (close === -1) throw new Error('a compat-mode push needs a closing </xml>');
  return { query: sealed, body: `${xml.slice(0, close)}<Encrypt>${cdata(encrypt)}</Encrypt>${xml.slice(close)}` };
}

/**
 * The platform simulator reading our reply: an encrypted envelope must carry a valid
 * MsgSignature and decrypt to our AppID; in safe mode a plaintext reply is refused. Check
 * `isNoReply(body)` first: 'success' and '' are not XML.
 */
export function openReply(body: string, cfg: CodecConfig): { xml: PushXml; encrypted: boolean } {
  const outer = parsePushXml(body);
  if (outer.Encrypt === undefined) {
    if (cfg.mode === 'safe') throw new AppError('WECHAT_ENCRYPTION_REQUIRED');
    return { xml: outer, encrypted: false };
  }
  const encrypt = encryptField(outer);
  const { MsgSignature: sig, TimeStamp: ts, Nonce: nonce } = outer;
  if (typeof sig !== 'string' || typeof ts !== 'string' || typeof nonce !== 'string' || !signatureOk([cfg.token, ts, nonce, encrypt], sig)) {
    throw new AppError('WECHAT_SIGNATURE_INVALID');
  }
  return { xml: parsePushXml(decryptWithRotation(encrypt, cfg).message), encrypted: true };
}

// ---------------------------------------------------------------------------------------------

/** Presence, plain signature and timestamp window; shared by GET and POST. */
function checkSignature(query: Query, cfg: CodecConfig, nowMs: number): { signature: string; timestamp: string; nonce: string } {
  // An empty token would make every signature computable by anyone.
  if (!cfg.token) throw new Error('the WeChat token is not configured');
  const [signature, timestamp, nonce] = [param(query, 'signature'), param(query, 'timestamp'), param(query, 'nonce')];
  if (!signature || !timestamp || !nonce) throw new AppError('WECHAT_SIGNATURE_INVALID');
  if (!signatureOk([cfg.token, timestamp, nonce], signature)) throw new AppError('WECHAT_SIGNATURE_INVALID');
  if (cfg.timestampToleranceS > 0) {
    // Checked after the signature, so an unsigned request learns nothing about our clock.
    const ts = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!(Math.abs(Math.floor(nowMs / 1000) - ts) <= cfg.timestampToleranceS)) throw new AppError('WECHAT_TIMESTAMP_STALE');
  }
  return { signature, timestamp, nonce };
}

/** A repeated query parameter arrives as an array despite the type; it is never valid here. */
function param(query: Query, name: string): string | undefined {
  const v: unknown = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new AppError('WECHAT_SIGNATURE_INVALID');
  return v;
}

function encryptField(xml: PushXml): string {
  const encrypt = xml.Encrypt;
  if (typeof encrypt !== 'string' || encrypt === '') throw new AppError('WECHAT_DECRYPT_FAILED');
  return encrypt;
}

/**
 * Decrypt with the current key, then the previous one (the platform FAQ's advice for key
 * rotation). A key "works" only if the trailing id is our AppID, so a wrong key that happens to
 * yield valid padding cannot win; a mismatch on a key that decrypted cleanly is reported as such.
 */
function decryptWithRotation(encrypt: string, cfg: CodecConfig): { message: string; keyUsed: 'current' | 'previous' } {
  const keys: ['current' | 'previous', string | undefined][] = [
    ['current', cfg.aesKey],
    ['previous', cfg.aesKeyPrevious],
  ];
  let appIdMismatch = false;
  for (const [keyUsed, key] of keys) {
    if (!key) continue;
    let opened: ReturnType<AesCipher['decrypt']>;
    try {
      opened = cipherFor(key).decrypt(encrypt);
    } catch (err) {
      if (isAppError(err)) continue;
      throw err;
    }
    if (opened.appId === cfg.appId) return { message: opened.message, keyUsed };
    appIdMismatch = true;
  }
  throw new AppError(appIdMismatch ? 'WECHAT_APPID_MISMATCH' : 'WECHAT_DECRYPT_FAILED');
}

const seconds = (nowMs: number): string => String(Math.floor(nowMs / 1000));

/** PROTOCOL §1.6: Encrypt, MsgSignature, TimeStamp (bare seconds), Nonce. */
function envelope(encrypt: string, token: string, timestamp: string, nonce: string): string {
  return buildXml({ Encrypt: encrypt, MsgSignature: sha1Sorted([token, timestamp, nonce, encrypt]), TimeStamp: Number(timestamp), Nonce: nonce });
}
