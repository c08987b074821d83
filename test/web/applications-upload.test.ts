import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import { uploadAttachment, uploadUrl, type XhrLike } from '../../web/src/h5/applications-upload';

/** A scripted XMLHttpRequest: records what was sent, then plays the given outcome. */
function fakeXhr(outcome: (x: FakeXhr) => void) {
  const made: FakeXhr[] = [];
  const factory = () => {
    const x = new FakeXhr(outcome);
    made.push(x);
    return x;
  };
  return { factory, made };
}

class FakeXhr implements XhrLike {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown;
  timeout = 0;
  withCredentials = false;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  aborted = false;
  upload: XhrLike['upload'] = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor(private readonly outcome: (x: FakeXhr) => void) {}
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  send(body: unknown) {
    this.body = body;
    queueMicrotask(() => this.outcome(this));
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  respond(status: number, json: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.responseText = typeof json === 'string' ? json : JSON.stringify(json);
    this.responseHeaders = headers;
    this.onload?.();
  }
}

const file = (name = '身份证 正面.jpg', type = 'image/jpeg') => Object.assign(new Blob(['x'.repeat(10)], { type }), { name });

describe('attachment upload', () => {
  it('posts the raw bytes with their type and the name in ?filename=, reporting progress', async () => {
    const progress: number[] = [];
    const { factory, made } = fakeXhr((x) => {
      x.upload.onprogress?.({ loaded: 3, total: 10, lengthComputable: true });
      x.upload.onprogress?.({ loaded: 10, total: 10, lengthComputable: true });
      x.respond(201, { data: { id: 17, filename: '身份证 正面.jpg', mime: 'image/jpeg', size: 10, createdAt: 'x' } });
    });
    const f = file();
    const att = await uploadAttachment<{ id: number }>(f, { xhr: factory, onProgress: (p) => progress.push(p) });
    expect(att.id).toBe(17);
    const x = made[0]!;
    expect(x.method).toBe('POST');
    expect(x.url).toBe(`/api/h5/attachments?filename=${encodeURIComponent('身份证 正面.jpg')}`);
    expect(x.headers['content-type']).toBe('image/jpeg');
    expect(x.body).toBe(f);
    expect(x.withCredentials).toBe(true);
    expect(progress).toEqual([30, 100, 100]);
  });

  it('turns the server’s error envelope into ApiError with its code and request id', async () => {
    const { factory } = fakeXhr((x) =>
      x.respond(413, { error: { code: 'ATTACHMENT_TOO_LARGE', message: '文件太大', requestId: 'r1', details: { maxBytes: 5 } } }),
    );
    const err = await uploadAttachment(file(), { xhr: factory }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 413, code: 'ATTACHMENT_TOO_LARGE', requestId: 'r1', details: { maxBytes: 5 } });
  });

  it('reports a proxy page without envelope, a network failure, a timeout and a cancel', async () => {
    const proxy = await uploadAttachment(file(), { xhr: fakeXhr((x) => x.respond(502, '<html>bad gateway</html>', { 'x-request-id': 'p1' })).factory }).catch((e: unknown) => e);
    expect(proxy).toMatchObject({ code: 'HTTP_502', requestId: 'p1' });
    const network = await uploadAttachment(file(), { xhr: fakeXhr((x) => x.onerror?.()).factory }).catch((e: unknown) => e);
    expect(network).toMatchObject({ code: 'NETWORK' });
    const timeout = await uploadAttachment(file(), { xhr: fakeXhr((x) => x.ontimeout?.()).factory }).catch((e: unknown) => e);
    expect(timeout).toMatchObject({ code: 'TIMEOUT' });

    const controller = new AbortController();
    const { factory, made } = fakeXhr(() => controller.abort());
    const cancelled = await uploadAttachment(file(), { xhr: factory, signal: controller.signal }).catch((e: unknown) => e);
    expect(cancelled).toMatchObject({ code: 'ABORTED' });
    expect(made[0]!.aborted).toBe(true);
  });

  it('a 2xx without the envelope is BAD_RESPONSE, not success', async () => {
    const err = await uploadAttachment(file(), { xhr: fakeXhr((x) => x.respond(200, { id: 1 })).factory }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('cuts very long names to the server’s 200-character limit, keeping the extension', () => {
    const sent = (name: string) => new URL(uploadUrl(name), 'http://x').searchParams.get('filename')!;
    const long = sent(`${'甲'.repeat(300)}.jpg`);
    expect([...long].length).toBe(200);
    expect(long.endsWith('甲.jpg')).toBe(true);
    expect(sent('a b&c.pdf')).toBe('a b&c.pdf');
  });
});
