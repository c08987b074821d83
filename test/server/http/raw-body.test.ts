import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../server/http/errors';
import { readRawBody } from '../../../server/http/raw-body';

/** A bare Koa app around readRawBody with a 1 KiB limit, answering errors as the portal does. */
let server: ReturnType<Koa['listen']>;
let port: number;
beforeAll(async () => {
  const app = new Koa();
  app.use(async (ctx) => {
    try {
      ctx.body = { length: (await readRawBody(ctx, 1024)).length };
    } catch (err) {
      if (!isAppError(err)) throw err;
      ctx.status = err.status;
      ctx.body = { error: { code: err.code } };
    }
  });
  server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Sends `chunks` with chunked transfer encoding and returns the status and body. */
function chunkedPost(chunks: Buffer[], gapMs = 0): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, method: 'POST', path: '/', headers: { 'content-type': 'text/xml' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    void (async () => {
      for (const c of chunks) {
        if (req.destroyed) return;
        req.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      req.end();
    })();
  });
}

describe('readRawBody', () => {
  it('reads a chunked body within the limit', async () => {
    const res = await chunkedPost([Buffer.alloc(500, 'a'), Buffer.alloc(500, 'b')]);
    expect(res).toEqual({ status: 200, body: JSON.stringify({ length: 1000 }) });
  });

  it('answers 413 to a chunked body over the limit (the socket is not destroyed before the answer)', async () => {
    // the body keeps arriving after the limit is passed, as an upload over a slow network does
    const res = await chunkedPost([Buffer.alloc(800, 'a'), Buffer.alloc(800, 'b'), ...Array.from({ length: 20 }, () => Buffer.alloc(4000, 'c'))], 10);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers 413 from the declared length without reading', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ port, method: 'POST', path: '/', headers: { 'content-length': '5000' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(Buffer.alloc(5000));
    });
    expect(res).toBe(413);
  });
});
