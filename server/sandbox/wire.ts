import type { Context } from 'koa';
import { readRawBody } from '../http/raw-body';
import { errmsgFor } from './errcodes';
import { newRid } from './ids';

/** How the simulated API talks: HTTP 200, WeChat JSON, errcode/errmsg on failure. */

/** A platform error: becomes `{ errcode, errmsg }` with HTTP 200, as WeChat answers. */
export class WxError extends Error {
  constructor(
    readonly errcode: number,
    /** appended to the standard errmsg, e.g. `data.thing1.value invalid` */
    readonly detail?: string,
  ) {
    super(`wechat errcode ${errcode}`);
    this.name = 'WxError';
  }
}

export const OK = { errcode: 0, errmsg: 'ok' } as const;

/** The content type api.weixin.qq.com answers with. */
export const WX_CONTENT_TYPE = 'application/json; encoding=utf-8';

const BIG = '\u0000bigint:';

/** JSON with bigint values written as bare numbers (64-bit msgid), like WeChat's own JSON. */
export function stringifyWx(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v}` : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

export function errorBody(err: WxError, nowMs: number): { errcode: number; errmsg: string } {
  const base = errmsgFor(err.errcode);
  return { errcode: err.errcode, errmsg: `${base}${err.detail ? ` ${err.detail}` : ''} rid: ${newRid(nowMs)}` };
}

export function sendWx(ctx: Context, body: unknown): void {
  ctx.status = 200;
  ctx.set('Content-Type', WX_CONTENT_TYPE);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = stringifyWx(body);
}

/** First value of a query parameter. */
export function q(ctx: Context, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[0] : v;
}

const BODY_LIMIT = 1024 * 1024;

/**
 * The request body as WeChat reads it: JSON whatever the content type. If the app's JSON
 * parser already read it, its raw text is reused; otherwise (text/plain, no content type, or a
 * path excluded from that parser) the stream is read here.
 */
export async function readRawText(ctx: Context): Promise<string> {
  const req = ctx.request as typeof ctx.request & { rawBody?: unknown };
  if (typeof req.rawBody === 'string') return req.rawBody;
  if (ctx.req.readableEnded) return '';
  return readRawBody(ctx, BODY_LIMIT);
}

/** A JSON object body: empty → 44002, not JSON or not an object → 47001. */
export async function readWxJson(ctx: Context): Promise<Record<string, unknown>> {
  const raw = await readRawText(ctx);
  if (raw.trim() === '') throw new WxError(44002);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new WxError(47001, 'hint: [body is not JSON]');
  }
  if (!isRecord(parsed)) throw new WxError(47001, 'hint: [body must be a JSON object]');
  return parsed;
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string field, or a number given where WeChat also accepts one (ids in examples appear both ways). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
