import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Context } from 'koa';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { attachments, type AttachmentRow, type Database, type Transaction } from '../../db/schema';
import { AppError } from '../http/errors';

/**
 * Attachments: files citizens upload for their applications. Only JPEG, PNG and PDF, recognised
 * by their first bytes (the declared Content-Type must agree); stored once per content under
 * `<dir>/<aa>/<sha256>`; one metadata row per owner and content. An application that names an
 * attachment marks it attached (a case record, kept); uploads never attached are removed after
 * a while by orphan-attachments.ts.
 */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type AttachmentMime = (typeof ATTACHMENT_TYPES)[number];

/** Where the bytes with this SHA-256 live. */
export const storedPath = (dir: string, sha: string) => join(dir, sha.slice(0, 2), sha);

const EXT: Record<AttachmentMime, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' };

export function sniffType(bytes: Buffer): AttachmentMime | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return undefined;
}

/** A display name without paths, control or quoting characters, with the extension of the real type. */
export function cleanFilename(input: string | undefined, mime: AttachmentMime): string {
  const base = (input ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '')
    .trim();
  const stem = base.replace(/\.[A-Za-z0-9]{1,5}$/, '').slice(0, 100) || '附件';
  return `${stem}.${EXT[mime]}`;
}

/** RFC 6266: an ASCII fallback plus the UTF-8 name. */
export function contentDisposition(filename: string, disposition: 'inline' | 'attachment' = 'inline'): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * The raw request body as bytes, refusing more than `limit` (declared or actual) with 413. Past
 * the limit the rest is read and dropped rather than the stream destroyed: destroying the request
 * would close the socket before the 413 could be sent.
 */
export function readBodyBytes(ctx: Context, limit: number): Promise<Buffer> {
  const tooLarge = () => new AppError('ATTACHMENT_TOO_LARGE', `文件太大，不能超过 ${formatBytes(limit)}。`, { maxBytes: limit });
  const req = ctx.req;
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return; // draining after a refusal
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        settle(() => reject(tooLarge()));
      } else chunks.push(chunk);
    });
    req.on('end', () => settle(() => resolve(Buffer.concat(chunks))));
    req.on('error', (err) => settle(() => reject(err)));
    req.on('close', () => settle(() => reject(new AppError('BAD_REQUEST', 'The upload was interrupted.'))));
  });
}

export const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${Math.round((n / 1024 / 1024) * 10) / 10} MB` : `${Math.ceil(n / 1024)} KB`);

export interface StoredFile {
  row: AttachmentRow;
  bytes: Buffer;
}

export interface AttachmentStore {
  readonly maxBytes: number;
  /** Store an upload for a citizen; the same bytes again return the existing row. */
  save(citizenId: number, bytes: Buffer, declaredType: string, filename?: string): Promise<{ row: AttachmentRow; created: boolean }>;
  /** Rows by id (any owner): for staff views. */
  rows(ids: number[]): Promise<AttachmentRow[]>;
  /** The ids among `ids` that the citizen does not own (or that do not exist). */
  notOwned(citizenId: number, ids: number[]): Promise<number[]>;
  /**
   * Inside the transaction that saves an application: lock the citizen's attachments among
   * `ids` and mark them attached, so the orphan cleanup can no longer delete them. Answers the
   * ids that are not (or no longer) the citizen's.
   */
  attach(tx: Transaction, citizenId: number, ids: number[], at: Date): Promise<number[]>;
  /** The file if the citizen owns it (404 otherwise: someone else's file does not exist for them). */
  readOwn(citizenId: number, id: number): Promise<StoredFile>;
  /** The file for staff (the caller audits the read). */
  read(id: number): Promise<StoredFile>;
}

export function createAttachmentStore(deps: { db: Database; dir: string; maxBytes: number; now?: () => number }): AttachmentStore {
  const { db, dir, maxBytes } = deps;
  const now = deps.now ?? Date.now;
  const pathOf = (sha: string) => storedPath(dir, sha);

  async function writeOnce(sha: string, bytes: Buffer) {
    const path = pathOf(sha);
    try {
      const s = await stat(path);
      if (s.size === bytes.length) return; // already stored (content-addressed)
    } catch {
      /* not there yet */
    }
    await mkdir(dirname(path), { recursive: true });
    // Write beside, then rename: readers never see a half-written file, concurrent writers of the same content agree.
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, bytes, { mode: 0o640 });
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }

  async function load(row: AttachmentRow | undefined): Promise<StoredFile> {
    if (!row) throw new AppError('ATTACHMENT_NOT_FOUND');
    let bytes: Buffer;
    try {
      bytes = await readFile(pathOf(row.sha256));
    } catch {
      throw new AppError('ATTACHMENT_NOT_FOUND');
    }
    return { row, bytes };
  }

  return {
    maxBytes,

    async save(citizenId, bytes, declaredType, filename) {
      if (bytes.length === 0) throw new AppError('ATTACHMENT_EMPTY');
      if (bytes.length > maxBytes) throw new AppError('ATTACHMENT_TOO_LARGE', `文件太大，不能超过 ${formatBytes(maxBytes)}。`, { maxBytes });
      const declared = declaredType.split(';')[0]!.trim().toLowerCase();
      const sniffed = sniffType(bytes);
      // The bytes decide; a declared type that disagrees is refused rather than trusted.
      if (!sniffed || declared !== sniffed) {
        throw new AppError('ATTACHMENT_TYPE_NOT_ALLOWED', undefined, { allowed: ATTACHMENT_TYPES });
      }
      const sha = createHash('sha256').update(bytes).digest('hex');
      const find = async () => (await db.select().from(attachments).where(and(eq(attachments.ownerCitizenId, citizenId), eq(attachments.sha256, sha))).limit(1))[0];
      const before = await find();
      const at = new Date(now());
      // The row first, then the file: the orphan cleanup unlinks a file only while no row names
      // its hash and holds off new rows for that hash until it is done, so a file written after
      // its row exists is never lost to it. Uploading the same bytes again restarts the orphan
      // clock; two identical uploads racing end with one row (unique owner + sha256).
      await db
        .insert(attachments)
        .values({ ownerCitizenId: citizenId, sha256: sha, mime: sniffed, size: bytes.length, filename: cleanFilename(filename, sniffed), uploadedAt: at })
        .onDuplicateKeyUpdate({ set: { uploadedAt: at } });
      const row = (await find())!;
      await writeOnce(sha, bytes);
      return { row, created: before?.id !== row.id };
    },

    async rows(ids) {
      if (ids.length === 0) return [];
      return db.select().from(attachments).where(inArray(attachments.id, ids));
    },

    async notOwned(citizenId, ids) {
      if (ids.length === 0) return [];
      const own = await db
        .select({ id: attachments.id })
        .from(attachments)
        .where(and(inArray(attachments.id, ids), eq(attachments.ownerCitizenId, citizenId)));
      const ok = new Set(own.map((r) => r.id));
      return ids.filter((i) => !ok.has(i));
    },

    async attach(tx, citizenId, ids, at) {
      if (ids.length === 0) return [];
      const own = await tx
        .select({ id: attachments.id })
        .from(attachments)
        .where(and(inArray(attachments.id, ids), eq(attachments.ownerCitizenId, citizenId)))
        .for('update');
      const ok = own.map((r) => r.id);
      if (ok.length > 0) await tx.update(attachments).set({ attachedAt: at }).where(and(inArray(attachments.id, ok), isNull(attachments.attachedAt)));
      const found = new Set(ok);
      return ids.filter((i) => !found.has(i));
    },

    async readOwn(citizenId, id) {
      return load((await db.select().from(attachments).where(and(eq(attachments.id, id), eq(attachments.ownerCitizenId, citizenId))).limit(1))[0]);
    },

    async read(id) {
      return load((await db.select().from(attachments).where(eq(attachments.id, id)).limit(1))[0]);
    },
  };
}
