import Router from '@koa/router';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../server/http/errors';
import type { AppState } from '../../../server/http/state';
import { createTestApp } from '../../support/app';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';

const router = new Router<AppState>();
let duplicateOpenid = '';
router.get('/api/test/app-error', () => {
  throw new AppError('CONFLICT', 'That slot is already taken.');
});
router.get('/api/test/crash', () => {
  throw new Error('secret internal detail: password=hunter2');
});
router.get('/api/test/db-error', async () => {
  await makeCitizen(testDb().db, { openid: duplicateOpenid });
});
router.post('/api/test/echo', (ctx) => {
  ctx.body = { data: ctx.request.body };
});

const t = createTestApp({ routers: [router], env: { TRUST_PROXY: 'true' } });
afterAll(() => t.close());

describe('error handler', () => {
  it('maps an AppError to its status and code, with the request id', async () => {
    const res = await t.request.get('/api/test/app-error');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'CONFLICT', message: 'That slot is already taken.', requestId: res.headers['x-request-id'] } });
  });

  it('turns an unknown error into INTERNAL without its message, and logs it', async () => {
    const res = await t.request.get('/api/test/crash');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(t.logs.lines.some((l) => l.includes('"request failed"') && l.includes(res.headers['x-request-id']!))).toBe(true);
  });

  it('never leaks a database error: no SQL, no values, no driver message', async () => {
    const c = await makeCitizen(testDb().db);
    duplicateOpenid = c.openid;
    const res = await t.request.get('/api/test/db-error');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('INTERNAL');
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(c.openid);
    expect(text).not.toMatch(/insert|citizens|duplicate|ER_/i);
    expect(t.logs.lines.join('')).not.toContain(c.openid);
  });

  it('unknown routes answer a JSON 404; wrong methods 405', async () => {
    const res = await t.request.get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    const res2 = await t.request.delete('/healthz');
    expect(res2.status).toBe(405);
    expect(res2.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('malformed JSON is a 400 INVALID_JSON; an oversized body a 413', async () => {
    const bad = await t.request.post('/api/test/echo').set('content-type', 'application/json').send('{"a":');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_JSON');
    const big = await t.request.post('/api/test/echo').set('content-type', 'application/json').send(JSON.stringify({ a: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const ok = await t.request.post('/api/test/echo').send({ a: 1 });
    expect(ok.body).toEqual({ data: { a: 1 } });
  });

  it('behind a trusted proxy keeps a sane incoming X-Request-Id and replaces an unsafe one', async () => {
    const kept = await t.request.get('/healthz').set('X-Request-Id', 'nginx-abc.123');
    expect(kept.headers['x-request-id']).toBe('nginx-abc.123');
    const replaced = await t.request.get('/healthz').set('X-Request-Id', 'bad id <script>'.padEnd(80, 'x'));
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('access log lines carry the path but never the query string', async () => {
    await t.request.get('/api/nothing-here?code=OAUTHCODE123&openid=oABC');
    const line = t.logs.lines.find((l) => l.includes('/api/nothing-here') && l.includes('"request"'));
    expect(line).toBeDefined();
    expect(line).not.toContain('OAUTHCODE123');
    expect(line).not.toContain('oABC');
  });
});

describe('request ids without a trusted proxy', () => {
  const direct = createTestApp();
  afterAll(() => direct.close());
  it('ignore the client’s X-Request-Id', async () => {
    const res = await direct.request.get('/healthz').set('X-Request-Id', 'chosen-by-client');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
