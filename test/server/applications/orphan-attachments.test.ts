import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attachments } from '../../../db/schema';
import { createAttachmentStore, storedPath } from '../../../server/applications/attachments';
import { createOrphanAttachmentSweep } from '../../../server/applications/orphan-attachments';
import { AppError } from '../../../server/http/errors';
import { testDb, uniq } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { createApplicationsTestApp, makeType, PDF, PNG, principal, VALID_ANSWERS } from './fixtures';

/**
 * Orphan attachments against the real database and real files in a temporary directory: uploads
 * no submitted application named are deleted after ATTACHMENT_ORPHAN_HOURS, files only when no
 * row names their hash any more; attachments of applications are case records and stay.
 */
const HOUR = 3600_000;
let clock = Date.now();
const t = createApplicationsTestApp({ env: { ATTACHMENT_ORPHAN_HOURS: '24' }, now: () => clock });
const db = testDb().db;
const svc = t.deps.applications;
const sweeper = createOrphanAttachmentSweep({ db, dir: t.attachmentsDir, orphanHours: 24, now: () => clock });
let typeCode: string;
afterAll(() => t.close());
beforeAll(async () => {
  typeCode = (await makeType(db)).code;
});
// Each test starts at the real time; rows of earlier tests are older than its own.
beforeEach(() => {
  clock = Date.now();
});

/** Bytes no other test (or test file) uploads. */
const uniqueBytes = (base: Buffer = PNG) => Buffer.concat([base, Buffer.from(uniq('-'))]);
const mimeOf = (b: Buffer) => (b.subarray(0, 4).toString('latin1') === '%PDF' ? 'application/pdf' : 'image/png');
const fileOf = (bytes: Buffer) => storedPath(t.attachmentsDir, createHash('sha256').update(bytes).digest('hex'));
const citizen = async () => {
  const c = await makeCitizen(db);
  return { id: c.id, openid: c.openid };
};
const upload = async (who: { id: number; openid: string }, bytes: Buffer) => (await svc.upload(who, bytes, mimeOf(bytes), 'material')).view.id;
const rowsOf = async (ids: number[]) => (await db.select({ id: attachments.id }).from(attachments).where(inArray(attachments.id, ids))).map((r) => r.id).sort();
const exists = async (id: number) => (await rowsOf([id])).length === 1;
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe('orphan attachment cleanup', () => {
  it('deletes an upload no application named once it is older than ATTACHMENT_ORPHAN_HOURS: row and file', async () => {
    const who = await citizen();
    const bytes = uniqueBytes();
    const id = await upload(who, bytes);
    expect(existsSync(fileOf(bytes))).toBe(true);

    clock += 23 * HOUR;
    await sweeper.sweep();
    expect(await exists(id)).toBe(true);

    clock += 2 * HOUR;
    const result = await sweeper.sweep();
    expect(result.rows).toBeGreaterThanOrEqual(1);
    expect(result.files).toBeGreaterThanOrEqual(1);
    expect(await exists(id)).toBe(false);
    expect(existsSync(fileOf(bytes))).toBe(false);
    expect(await codeOf(svc.ownAttachment(who, id))).toBe('ATTACHMENT_NOT_FOUND');
  });

  it('keeps what applications named — also a file a resubmission replaced, and those of a withdrawn application', async () => {
    const who = await citizen();
    const [first, second, extra, withdrawnFile, unused] = [uniqueBytes(), uniqueBytes(), uniqueBytes(PDF), uniqueBytes(), uniqueBytes()];
    const firstId = await upload(who, first);
    const extraId = await upload(who, extra);
    const app = await svc.submit(who, { typeCode, answers: { ...VALID_ANSWERS, photo: [firstId] }, attachmentIds: [extraId] });
    const clerk = principal('clerk');
    await svc.transition(clerk, app.id, 'accepted');
    await svc.transition(clerk, app.id, 'in_review');
    await svc.transition(clerk, app.id, 'needs_info', '照片不清楚');
    const secondId = await upload(who, second);
    await svc.resubmit(who, app.id, { answers: { ...VALID_ANSWERS, photo: [secondId] }, attachmentIds: [extraId] });

    const withdrawnId = await upload(who, withdrawnFile);
    const other = await svc.submit(who, { typeCode, answers: { ...VALID_ANSWERS, photo: [withdrawnId] } });
    await svc.withdraw(who, other.id);
    const unusedId = await upload(who, unused);

    clock += 30 * 24 * HOUR;
    await sweeper.sweep();
    expect(await rowsOf([firstId, secondId, extraId, withdrawnId, unusedId])).toEqual([firstId, secondId, extraId, withdrawnId].sort());
    for (const b of [first, second, extra, withdrawnFile]) expect(existsSync(fileOf(b))).toBe(true);
    expect(existsSync(fileOf(unused))).toBe(false);
    const [row] = await db.select().from(attachments).where(eq(attachments.id, firstId));
    expect(row!.attachedAt).not.toBeNull();
    // staff still open the replaced photo of the case
    expect((await svc.staffAttachment(principal('clerk'), firstId)).bytes.equals(first)).toBe(true);
  });

  it('a file another citizen’s row still names stays; it goes with the last row', async () => {
    const [a, b] = [await citizen(), await citizen()];
    const bytes = uniqueBytes();
    const start = clock;
    const aId = await upload(a, bytes);
    clock = start + 20 * HOUR;
    const bId = await upload(b, bytes);
    expect(bId).not.toBe(aId);

    clock = start + 25 * HOUR; // a's upload is an orphan, b's is not yet
    await sweeper.sweep();
    expect(await rowsOf([aId, bId])).toEqual([bId]);
    expect(existsSync(fileOf(bytes))).toBe(true);
    expect((await svc.ownAttachment(b, bId)).bytes.equals(bytes)).toBe(true);

    clock = start + 45 * HOUR;
    await sweeper.sweep();
    expect(await rowsOf([aId, bId])).toEqual([]);
    expect(existsSync(fileOf(bytes))).toBe(false);
  });

  it('a file an application’s attachment shares with an orphan stays with the case record', async () => {
    const [keeper, leaver] = [await citizen(), await citizen()];
    const bytes = uniqueBytes();
    const keptId = await upload(keeper, bytes);
    const orphanId = await upload(leaver, bytes);
    await svc.submit(keeper, { typeCode, answers: { ...VALID_ANSWERS, photo: [keptId] } });

    clock += 48 * HOUR;
    await sweeper.sweep();
    expect(await rowsOf([keptId, orphanId])).toEqual([keptId]);
    expect((await svc.staffAttachment(principal('supervisor'), keptId)).bytes.equals(bytes)).toBe(true);
  });

  it('uploading the same bytes again restarts the clock', async () => {
    const who = await citizen();
    const bytes = uniqueBytes();
    const start = clock;
    const id = await upload(who, bytes);
    clock = start + 20 * HOUR;
    const again = await svc.upload(who, bytes, 'image/png', 'again.png');
    expect(again).toMatchObject({ created: false, view: { id } });

    clock = start + 30 * HOUR;
    await sweeper.sweep();
    expect(await exists(id)).toBe(true);
    clock = start + 45 * HOUR;
    await sweeper.sweep();
    expect(await exists(id)).toBe(false);
  });

  it('an application naming a removed upload is refused by field; uploading the bytes again stores them again', async () => {
    const who = await citizen();
    const bytes = uniqueBytes();
    const id = await upload(who, bytes);
    clock += 25 * HOUR;
    await sweeper.sweep();

    const refused = await svc.submit(who, { typeCode, answers: { ...VALID_ANSWERS, photo: [id] } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'APPLICATION_ANSWERS_INVALID', details: [{ path: 'photo', message: expect.stringContaining('请重新上传') }] });

    const newId = await upload(who, bytes);
    expect(existsSync(fileOf(bytes))).toBe(true);
    const app = await svc.submit(who, { typeCode, answers: { ...VALID_ANSWERS, photo: [newId] } });
    expect(app.attachments.map((a) => a.id)).toEqual([newId]);
  });

  it('the saving transaction claims the files under lock and reports one that went meanwhile', async () => {
    const who = await citizen();
    const keptId = await upload(who, uniqueBytes());
    const goneId = await upload(who, uniqueBytes());
    await db.delete(attachments).where(eq(attachments.id, goneId)); // what the cleanup does between the check and the save
    const store = createAttachmentStore({ db, dir: t.attachmentsDir, maxBytes: 4096 });
    const missing = await db.transaction((tx) => store.attach(tx, who.id, [keptId, goneId], new Date(clock)));
    expect(missing).toEqual([goneId]);
    clock += 48 * HOUR;
    await sweeper.sweep();
    expect(await exists(keptId)).toBe(true);
  });

  it('cleanup racing an upload of the same bytes never leaves a row without its file', async () => {
    for (let round = 0; round < 12; round++) {
      const [a, b] = [await citizen(), await citizen()];
      const bytes = uniqueBytes();
      const aId = await upload(a, bytes);
      clock += 25 * HOUR; // a's upload is now an orphan
      const [, bUpload] = await Promise.all([sweeper.sweep(), svc.upload(b, bytes, 'image/png', 'b.png')]);
      expect(await exists(aId)).toBe(false);
      expect(await exists(bUpload.view.id)).toBe(true);
      expect((await svc.ownAttachment(b, bUpload.view.id)).bytes.equals(bytes)).toBe(true);
    }
  });

  it('the job in the app (deps.orphanAttachments) runs a round and logs counts, nothing personal', async () => {
    const who = await citizen();
    const bytes = uniqueBytes();
    const id = await upload(who, bytes);
    clock += 25 * HOUR;
    await t.deps.orphanAttachments.tick();
    expect(await exists(id)).toBe(false);
    expect(existsSync(fileOf(bytes))).toBe(false);
    const line = t.logs.records().find((r) => r.msg === 'orphan attachments deleted');
    expect(line).toMatchObject({ rows: expect.any(Number), files: expect.any(Number) });
    expect(t.logs.lines.join('\n')).not.toContain(who.openid);
  });
});
