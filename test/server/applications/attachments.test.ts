import { existsSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanFilename, contentDisposition, sniffType } from '../../../server/applications/attachments';
import { signCookie, signedInAgent } from '../../support/citizen-agent';
import { SESSION_COOKIE } from '../../../server/citizens/sessions';
import { makeCitizen } from '../../support/factories';
import { testDb } from '../../support/db';
import { signedInStaff } from '../../support/staff-agent';
import { auditRows, createApplicationsTestApp, JPEG, makeType, PDF, PNG, VALID_ANSWERS } from './fixtures';

const t = createApplicationsTestApp({ env: { ATTACHMENT_MAX_BYTES: '4096' } });
const db = testDb().db;
afterAll(() => t.close());

const upload = (agent: Awaited<ReturnType<typeof signedInAgent>>['agent'], bytes: Buffer, type: string, filename?: string) =>
  agent
    .post(`/api/h5/attachments${filename ? `?filename=${encodeURIComponent(filename)}` : ''}`)
    .set('Content-Type', type)
    .send(bytes);

const storedFiles = () => readdirSync(t.attachmentsDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());

describe('type sniffing and names', () => {
  it('recognises JPEG, PNG and PDF by their first bytes only', () => {
    expect(sniffType(JPEG)).toBe('image/jpeg');
    expect(sniffType(PNG)).toBe('image/png');
    expect(sniffType(PDF)).toBe('application/pdf');
    expect(sniffType(Buffer.from('<html><script>alert(1)</script>'))).toBeUndefined();
    expect(sniffType(Buffer.from('GIF89a....'))).toBeUndefined();
    expect(sniffType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });

  it('keeps a display name without paths or quotes, with the real type’s extension', () => {
    expect(cleanFilename('../../etc/passwd.jpg', 'image/jpeg')).toBe('passwd.jpg');
    expect(cleanFilename('C:\\Users\\张三\\身份证 正面.JPG', 'image/jpeg')).toBe('身份证 正面.jpg');
    expect(cleanFilename('evil".exe', 'application/pdf')).toBe('evil.pdf');
    expect(cleanFilename(undefined, 'image/png')).toBe('附件.png');
    expect(contentDisposition('身份证.jpg')).toBe(`inline; filename="___.jpg"; filename*=UTF-8''${encodeURIComponent('身份证.jpg')}`);
  });
});

describe('POST /api/h5/attachments', () => {
  it('stores JPEG, PNG and PDF by content hash and answers the metadata', async () => {
    const { agent } = await signedInAgent(t);
    for (const [bytes, mime] of [
      [JPEG, 'image/jpeg'],
      [PNG, 'image/png'],
      [PDF, 'application/pdf'],
    ] as const) {
      const res = await upload(agent, bytes, mime, '材料');
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ id: expect.any(Number), mime, size: bytes.length, filename: expect.stringMatching(/^材料\./) });
      const sha = createHash('sha256').update(bytes).digest('hex');
      expect(existsSync(join(t.attachmentsDir, sha.slice(0, 2), sha))).toBe(true);
    }
  });

  it('deduplicates: the same bytes again give the same attachment; another citizen’s copy shares the stored file', async () => {
    const bytes = Buffer.concat([JPEG, Buffer.from(`dedupe-${Date.now()}-${Math.random()}`)]);
    const a = await signedInAgent(t);
    const b = await signedInAgent(t);
    const before = storedFiles().length;
    const first = await upload(a.agent, bytes, 'image/jpeg', 'a.jpg');
    const again = await upload(a.agent, bytes, 'image/jpeg', 'renamed.jpg');
    const other = await upload(b.agent, bytes, 'image/jpeg', 'b.jpg');
    expect(first.status).toBe(201);
    expect(again.body.data.id).toBe(first.body.data.id);
    expect(other.body.data.id).not.toBe(first.body.data.id);
    expect(storedFiles().length).toBe(before + 1);
  });

  it.each([
    ['declared type disagrees with the bytes', JPEG, 'image/png'],
    ['a type outside the allow-list', Buffer.from('hello'), 'text/plain'],
    ['HTML posing as a JPEG', Buffer.from('<html><script>alert(1)</script></html>'), 'image/jpeg'],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00'), 'image/gif'],
    ['JSON', Buffer.from('{"a":1}'), 'application/json'],
  ])('refuses %s with 415', async (_name, bytes, type) => {
    const { agent } = await signedInAgent(t);
    const res = await upload(agent, bytes, type);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
  });

  it('refuses an empty body and a body over ATTACHMENT_MAX_BYTES', async () => {
    const { agent } = await signedInAgent(t);
    const empty = await upload(agent, Buffer.alloc(0), 'image/jpeg');
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('ATTACHMENT_EMPTY');
    const big = await upload(agent, Buffer.concat([JPEG, Buffer.alloc(5000)]), 'image/jpeg');
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', details: { maxBytes: 4096 } });
    const justRight = await upload(agent, Buffer.concat([JPEG, Buffer.alloc(4096 - JPEG.length, 1)]), 'image/jpeg');
    expect(justRight.status).toBe(201);
  });

  it('stops reading a chunked body (no Content-Length) once it passes the limit', async () => {
    const who = await makeCitizen(db);
    const token = await t.deps.sessions.create({ citizenId: who.id, guest: false, scope: 'base' });
    const cookie = `${SESSION_COOKIE}=${token}; ${SESSION_COOKIE}.sig=${signCookie(SESSION_COOKIE, token, t.config.sessionSecret)}`;
    const server = createServer(t.app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/h5/attachments', headers: { 'Content-Type': 'image/jpeg', Cookie: cookie, 'Transfer-Encoding': 'chunked' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.write(JPEG);
        for (let i = 0; i < 10; i++) req.write(Buffer.alloc(1000, 7)); // 10 KB in chunks against a 4 KB limit
        req.end();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.code).toBe('ATTACHMENT_TOO_LARGE');
      expect(t.logs.lines.some((l) => l.includes('unhandled koa error'))).toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('needs a signed-in citizen', async () => {
    const res = await t.request.post('/api/h5/attachments').set('Content-Type', 'image/jpeg').send(JPEG);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('CITIZEN_AUTH_REQUIRED');
  });
});

describe('GET /api/h5/application-types announces the upload rules', () => {
  it('gives ATTACHMENT_MAX_BYTES and the accepted types beside the list (no sign-in needed)', async () => {
    const res = await t.request.get('/api/h5/application-types');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.data)).toBe(true);
    expect(res.body.uploads).toEqual({ maxBytes: 4096, types: ['image/jpeg', 'image/png', 'application/pdf'] });
    // what the page announces is what the upload route enforces
    const { agent } = await signedInAgent(t);
    const over = await upload(agent, Buffer.concat([PNG, Buffer.alloc(res.body.uploads.maxBytes + 1 - PNG.length)]), 'image/png');
    expect(over.status).toBe(413);
    expect(over.body.error.message).toContain('4 KB');
  });
});

describe('reading attachments', () => {
  it('serves the owner the bytes with safe headers; anyone else gets 404', async () => {
    const owner = await signedInAgent(t);
    const other = await signedInAgent(t);
    const id = (await upload(owner.agent, PDF, 'application/pdf', '体检证明.pdf')).body.data.id as number;
    const res = await owner.agent.get(`/api/h5/attachments/${id}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('体检证明.pdf')}`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['content-security-policy']).toContain('sandbox');

    expect((await other.agent.get(`/api/h5/attachments/${id}`)).status).toBe(404);
    expect((await other.agent.get(`/api/h5/attachments/999999999`)).status).toBe(404);
    expect((await t.request.get(`/api/h5/attachments/${id}`)).status).toBe(401);
  });

  it('serves staff any attachment and audits the read; evaluators and anonymous callers are refused', async () => {
    const owner = await signedInAgent(t);
    const id = (await upload(owner.agent, PNG, 'image/png')).body.data.id as number;
    const { agent, staff } = await signedInStaff(t, 'clerk');
    const res = await agent.get(`/api/admin/attachments/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const audit = await auditRows(db, 'attachment', id, 'attachment.read');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'staff', actorId: staff.id, detail: expect.objectContaining({ ownerCitizenId: owner.citizen.id }) });

    const evaluator = await signedInStaff(t, 'evaluator');
    expect((await evaluator.agent.get(`/api/admin/attachments/${id}`)).status).toBe(403);
    expect((await t.request.get(`/api/admin/attachments/${id}`)).status).toBe(401);
    expect(await auditRows(db, 'attachment', id, 'attachment.read')).toHaveLength(1);
  });

  it('an application may only name the citizen’s own attachments (the error names the field)', async () => {
    const type = await makeType(db);
    const owner = await signedInAgent(t);
    const thief = await signedInAgent(t);
    const id = (await upload(owner.agent, JPEG, 'image/jpeg')).body.data.id as number;
    const res = await thief.agent.post('/api/h5/applications').send({ typeCode: type.code, answers: { ...VALID_ANSWERS, photo: [id] } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('APPLICATION_ANSWERS_INVALID');
    expect(res.body.error.details).toEqual([{ path: 'photo', message: expect.stringContaining('照片') }]);
    const extra = await thief.agent.post('/api/h5/applications').send({ typeCode: type.code, answers: VALID_ANSWERS, attachmentIds: [id] });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details).toEqual([{ path: 'attachmentIds', message: expect.any(String) }]);
    const ok = await owner.agent.post('/api/h5/applications').send({ typeCode: type.code, answers: { ...VALID_ANSWERS, photo: [id] } });
    expect(ok.status).toBe(201);
    expect(ok.body.data.attachments).toEqual([expect.objectContaining({ id, mime: 'image/jpeg' })]);
  });
});
