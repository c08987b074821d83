import { and, inArray, sql } from 'drizzle-orm';
import { vehicles, violationBehaviours, violations, VIOLATION_STATUSES, type Database, type ViolationStatus } from '../../db/schema';
import { normalisePlateNo, normalisePlateType, toHalfWidth } from './plates';

/**
 * Agency CSV import: `plate_type,plate_no,vin,engine_no,occurred_at,location,behaviour_code,
 * behaviour,points,fine_yuan,status`. Rows are checked one by one; a bad row is reported by its
 * line number and skipped, good rows are upserted in batches (one transaction each) on
 * (plate_type, plate_no, occurred_at, behaviour_code), so importing a file twice changes nothing.
 */

export const IMPORT_HEADER = ['plate_type', 'plate_no', 'vin', 'engine_no', 'occurred_at', 'location', 'behaviour_code', 'behaviour', 'points', 'fine_yuan', 'status'] as const;

export interface ImportRow {
  line: number;
  plateType: string;
  plateNo: string;
  vin: string | null;
  engineNo: string | null;
  occurredAt: Date;
  location: string;
  behaviourCode: string;
  behaviour: string;
  points: number;
  fineYuan: number;
  status: ViolationStatus;
}

export interface ImportProblem {
  line: number;
  reason: string;
}

export interface ImportSummary {
  /** data rows read (header excluded) */
  rows: number;
  imported: number;
  skipped: number;
  problems: ImportProblem[];
  batches: number;
}

/** RFC 4180 records with the physical line each starts on; quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) out.push({ line: recordLine, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      inQuotes = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\r') {
      // CRLF: the \n ends the record
    } else if (c === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (inQuotes) out.push({ line: recordLine, fields: [...fields, field, '\u0000unterminated'] });
  else if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return out;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** Check one record; returns the row or why it was refused. */
export function validateRecord(line: number, f: string[]): ImportRow | ImportProblem {
  if (f[f.length - 1] === '\u0000unterminated') return { line, reason: '引号未闭合' };
  if (f.length !== IMPORT_HEADER.length) return { line, reason: `应有 ${IMPORT_HEADER.length} 列，实际 ${f.length} 列` };
  const [plateTypeRaw, plateNoRaw, vinRaw, engineRaw, occurredRaw, locationRaw, codeRaw, behaviourRaw, pointsRaw, fineRaw, statusRaw] = f.map((v) => toHalfWidth(v).trim()) as [
    string, string, string, string, string, string, string, string, string, string, string,
  ];
  const type = normalisePlateType(plateTypeRaw);
  if (!type.ok) return { line, reason: `plate_type: ${type.message}` };
  const plate = normalisePlateNo(plateNoRaw, type.value);
  if (!plate.ok) return { line, reason: `plate_no: ${plate.message}` };
  const vin = vinRaw.toUpperCase();
  if (vin !== '' && !VIN.test(vin)) return { line, reason: 'vin: 车辆识别代号应为17位字母或数字（不含 I、O、Q）' };
  const engineNo = engineRaw.toUpperCase();
  if (engineNo !== '' && !/^[0-9A-Z-]{4,32}$/.test(engineNo)) return { line, reason: 'engine_no: 发动机号应为4–32位字母或数字' };
  if (vin === '' && engineNo === '') return { line, reason: 'vin/engine_no: 车辆识别代号和发动机号至少需要一个' };
  if (!ISO_WITH_OFFSET.test(occurredRaw)) return { line, reason: 'occurred_at: 应为带时区的 ISO 8601 时间，如 2024-05-01T08:30:00+08:00' };
  const occurredAt = new Date(occurredRaw);
  if (Number.isNaN(occurredAt.getTime())) return { line, reason: 'occurred_at: 不是有效的时间' };
  occurredAt.setUTCMilliseconds(0);
  if (locationRaw === '' || locationRaw.length > 255) return { line, reason: 'location: 违法地点不能为空且不超过255字' };
  if (!/^\d{4,5}[A-Z]?$/.test(codeRaw)) return { line, reason: 'behaviour_code: 违法行为代码应为4–5位数字' };
  if (behaviourRaw === '' || behaviourRaw.length > 255) return { line, reason: 'behaviour: 违法行为不能为空且不超过255字' };
  if (!/^\d{1,2}$/.test(pointsRaw) || Number(pointsRaw) > 12) return { line, reason: 'points: 记分应为0–12的整数' };
  if (!/^\d{1,7}(\.0{1,2})?$/.test(fineRaw)) return { line, reason: 'fine_yuan: 罚款金额应为整数元' };
  const status = statusRaw.toLowerCase();
  if (!(VIOLATION_STATUSES as readonly string[]).includes(status)) return { line, reason: 'status: 应为 unprocessed、processed 或 paid' };
  return {
    line,
    plateType: type.value,
    plateNo: plate.value,
    vin: vin || null,
    engineNo: engineNo || null,
    occurredAt,
    location: locationRaw,
    behaviourCode: codeRaw,
    behaviour: behaviourRaw,
    points: Number(pointsRaw),
    fineYuan: Math.trunc(Number(fineRaw)),
    status: status as ViolationStatus,
  };
}

/** Upsert one batch of valid rows in a single transaction. */
async function upsertBatch(db: Database, rows: ImportRow[], authority: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    const vehicleRows = new Map<string, ImportRow>();
    for (const r of rows) vehicleRows.set(`${r.plateType}|${r.plateNo}`, r); // last row wins
    await tx
      .insert(vehicles)
      .values([...vehicleRows.values()].map((r) => ({ plateType: r.plateType, plateNo: r.plateNo, vin: r.vin, engineNo: r.engineNo })))
      .onDuplicateKeyUpdate({
        set: {
          // first: it compares with the old values
          updatedAt: sql`IF(COALESCE(VALUES(${vehicles.vin}), ${vehicles.vin}) <=> ${vehicles.vin} AND COALESCE(VALUES(${vehicles.engineNo}), ${vehicles.engineNo}) <=> ${vehicles.engineNo}, ${vehicles.updatedAt}, CURRENT_TIMESTAMP(3))`,
          vin: sql`COALESCE(VALUES(${vehicles.vin}), ${vehicles.vin})`,
          engineNo: sql`COALESCE(VALUES(${vehicles.engineNo}), ${vehicles.engineNo})`,
        },
      });
    const ids = await tx
      .select({ id: vehicles.id, plateType: vehicles.plateType, plateNo: vehicles.plateNo })
      .from(vehicles)
      // both columns, so the unique (plate_type, plate_no) index serves it
      .where(and(inArray(vehicles.plateType, [...new Set(rows.map((r) => r.plateType))]), inArray(vehicles.plateNo, [...new Set(rows.map((r) => r.plateNo))])));
    const idOf = new Map(ids.map((v) => [`${v.plateType}|${v.plateNo}`, v.id]));

    const codes = new Map<string, ImportRow>();
    for (const r of rows) codes.set(r.behaviourCode, r);
    await tx
      .insert(violationBehaviours)
      .values([...codes.values()].map((r) => ({ code: r.behaviourCode, text: r.behaviour, points: r.points, fineYuan: r.fineYuan })))
      .onDuplicateKeyUpdate({
        set: { text: sql`VALUES(${violationBehaviours.text})`, points: sql`VALUES(${violationBehaviours.points})`, fineYuan: sql`VALUES(${violationBehaviours.fineYuan})` },
      });

    await tx
      .insert(violations)
      .values(
        rows.map((r) => ({
          vehicleId: idOf.get(`${r.plateType}|${r.plateNo}`)!,
          plateType: r.plateType,
          plateNo: r.plateNo,
          occurredAt: r.occurredAt,
          location: r.location,
          behaviourCode: r.behaviourCode,
          behaviourText: r.behaviour,
          points: r.points,
          fineYuan: r.fineYuan,
          authority,
          status: r.status,
        })),
      )
      .onDuplicateKeyUpdate({
        set: {
          // gxsj moves only when something changed
          updatedAt: sql`IF(VALUES(${violations.status}) <=> ${violations.status} AND VALUES(${violations.location}) <=> ${violations.location} AND VALUES(${violations.points}) <=> ${violations.points} AND VALUES(${violations.fineYuan}) <=> ${violations.fineYuan}, ${violations.updatedAt}, CURRENT_TIMESTAMP(3))`,
          location: sql`VALUES(${violations.location})`,
          behaviourText: sql`VALUES(${violations.behaviourText})`,
          points: sql`VALUES(${violations.points})`,
          fineYuan: sql`VALUES(${violations.fineYuan})`,
          status: sql`VALUES(${violations.status})`,
          paidAt: sql`IF(VALUES(${violations.status}) = 'paid', ${violations.paidAt}, NULL)`,
        },
      });
  });
}

export async function importViolationsCsv(
  db: Database,
  text: string,
  opts: { batchSize?: number; authority?: string | null; onProblem?: (p: ImportProblem) => void } = {},
): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 500;
  const records = parseCsv(text);
  const summary: ImportSummary = { rows: 0, imported: 0, skipped: 0, problems: [], batches: 0 };
  const header = records.shift();
  const headerFields = header?.fields.map((h) => h.trim().toLowerCase());
  if (!headerFields || headerFields.join(',') !== IMPORT_HEADER.join(',')) {
    throw new Error(`the first line must be the header: ${IMPORT_HEADER.join(',')}`);
  }
  let batch: ImportRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await upsertBatch(db, batch, opts.authority ?? null);
    summary.imported += batch.length;
    summary.batches += 1;
    batch = [];
  };
  for (const rec of records) {
    summary.rows += 1;
    const r = validateRecord(rec.line, rec.fields);
    if ('reason' in r) {
      summary.skipped += 1;
      summary.problems.push(r);
      opts.onProblem?.(r);
      continue;
    }
    batch.push(r);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
