import type { Context } from 'koa';
import { AppError } from './errors';

/**
 * Read the request body as UTF-8 text, refusing more than `limit` bytes (413) — from the
 * declared Content-Length before reading, and while reading for chunked bodies.
 */
export async function readRawBody(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw new AppError('PAYLOAD_TOO_LARGE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.req.unpipe?.();
      ctx.req.resume(); // drain the rest so the socket stays usable for the error answer
      throw new AppError('PAYLOAD_TOO_LARGE');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
