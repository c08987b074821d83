import type { Context } from 'koa';
import { AppError } from './errors';

/**
 * Read the request body as UTF-8 text, refusing more than `limit` bytes (413) — from the
 * declared Content-Length before reading, and while reading for chunked bodies.
 *
 * Events, not `for await`: leaving a for-await loop early destroys the request stream and with
 * it the socket, so the 413 could never be sent. Past the limit the rest is read and discarded.
 */
export function readRawBody(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) return Promise.reject(new AppError('PAYLOAD_TOO_LARGE'));
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      req.on('data', () => undefined); // keep draining so the socket stays usable for the answer
      req.resume();
      reject(new AppError('PAYLOAD_TOO_LARGE'));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => {
      cleanup();
      reject(new AppError('BAD_REQUEST', 'The request body was not completely received.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
