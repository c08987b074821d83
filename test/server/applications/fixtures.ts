import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import {
  applications,
  applicationTransitions,
  applicationTypes,
  auditEntries,
  notifications,
  type ApplicationStatus,
  type Database,
  type FormFieldDef,
} from '../../../db/schema';
import { shanghaiStartOfDay } from '../../../server/calendar/civil-date';
import type { StaffPrincipal, StaffRole } from '../../../server/staff/roles';
import { createTestApp } from '../../support/app';
import { uniq } from '../../support/db';

export const TEST_FIELDS: FormFieldDef[] = [
  { key: 'name', label: '姓名', kind: 'text', required: true, maxLength: 30 },
  { key: 'id_number', label: '身份证号码', kind: 'id_number', required: true },
  { key: 'phone', label: '手机号码', kind: 'phone', required: true },
  { key: 'plate', label: '号牌号码', kind: 'plate', required: false },
  { key: 'photo', label: '照片', kind: 'file', required: false, maxFiles: 2 },
];

/** Valid for TEST_FIELDS, already in stored (normalised) form. */
export const VALID_ANSWERS = { name: '张三', id_number: '11010519491231002X', phone: '13800138000', plate: '粤B12345' };

export async function makeType(db: Database, overrides: Partial<typeof applicationTypes.$inferInsert> = {}) {
  const row = {
    code: uniq('t').slice(0, 32),
    name: '测试事项',
    description: '用于测试',
    formSchema: TEST_FIELDS,
    materials: ['居民身份证'],
    timeLimitDays: 5,
    handlingRole: 'clerk',
    ...overrides,
  };
  const [res] = await db.insert(applicationTypes).values(row);
  return { id: res.insertId, ...row };
}

/** An application put straight into a state (for the transition table), with its submission row. */
export async function makeApplication(db: Database, input: { citizenId: number; typeId: number; status: ApplicationStatus; seq?: number; dueBefore?: Date; acceptedAt?: Date | null; completedAt?: Date | null }) {
  const at = new Date();
  const seq = input.seq ?? 1;
  const dueBefore = input.dueBefore ?? new Date(at.getTime() + 7 * 86_400_000);
  const [res] = await db.insert(applications).values({
    applicationNo: `SQT${uniq('').slice(0, 16)}`,
    citizenId: input.citizenId,
    typeId: input.typeId,
    status: input.status,
    answers: { ...VALID_ANSWERS },
    attachmentIds: [],
    transitionSeq: seq,
    submittedAt: at,
    acceptedAt: input.acceptedAt ?? null,
    completedAt: input.completedAt ?? null,
    dueOn: '2099-01-01',
    dueBefore,
    updatedAt: at,
  });
  await db.insert(applicationTransitions).values({ applicationId: res.insertId, seq, fromStatus: null, toStatus: input.status, actorType: 'system', actorId: null, note: null, at });
  return res.insertId;
}

export function principal(role: StaffRole, id = 900_000 + Math.floor(Math.random() * 99_999)): StaffPrincipal {
  return { id, username: `${role}${id}`, displayName: role, role, sessionId: 'test' };
}

export async function applicationRow(db: Database, id: number) {
  return (await db.select().from(applications).where(eq(applications.id, id)))[0]!;
}

export async function transitionRows(db: Database, id: number) {
  return db.select().from(applicationTransitions).where(eq(applicationTransitions.applicationId, id)).orderBy(applicationTransitions.seq);
}

export async function outboxRows(db: Database, applicationId: number) {
  return db.select().from(notifications).where(like(notifications.dedupeKey, `application:${applicationId}:%`));
}

export async function auditRows(db: Database, subjectType: string, subjectId: number | string, action?: string) {
  const conds = [eq(auditEntries.subjectType, subjectType), eq(auditEntries.subjectId, String(subjectId))];
  if (action) conds.push(eq(auditEntries.action, action));
  return db.select().from(auditEntries).where(and(...conds));
}

/** The real app with attachments in a throwaway directory (removed by close()). */
export function createApplicationsTestApp(opts: { env?: Record<string, string>; now?: () => number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'govportal-attachments-'));
  const t = createTestApp({ env: { ATTACHMENTS_DIR: dir, ...opts.env }, now: opts.now });
  return {
    ...t,
    attachmentsDir: dir,
    async close() {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** 2026-09-30 10:00 Shanghai style instants. */
export const at = (date: string, hh = 10, mm = 0) => new Date(shanghaiStartOfDay(date).getTime() + (hh * 60 + mm) * 60_000);

/** Smallest files of each allowed kind (magic bytes plus a little body). */
export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0 test jpeg body'), Buffer.from([0xff, 0xd9])]);
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('test png body')]);
export const PDF = Buffer.from('%PDF-1.4\n% test pdf\n%%EOF\n');
