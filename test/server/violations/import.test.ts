import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { vehicles, violationBehaviours, violations } from '../../../db/schema';
import { importViolationsCsv, parseCsv } from '../../../server/violations/import';
import { testDb } from '../../support/db';
import { randomPlate, randomVin } from './fixtures';

const HEADER = 'plate_type,plate_no,vin,engine_no,occurred_at,location,behaviour_code,behaviour,points,fine_yuan,status';

describe('CSV parsing', () => {
  it('handles quotes, doubled quotes, commas and newlines inside quotes, CRLF and a BOM, with the line each record starts on', () => {
    const text = '\uFEFFa,b\r\n"x, ""y""",z\r\n"multi\nline",w\n\nlast,1';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"', 'z'] },
      { line: 3, fields: ['multi\nline', 'w'] },
      { line: 6, fields: ['last', '1'] },
    ]);
  });
});

describe('violation import', () => {
  it('keeps good rows, reports bad ones by line with the reason, and a second import changes nothing', async () => {
    const db = testDb().db;
    const p1 = randomPlate();
    const p2 = randomPlate();
    const ne = `粤T${'DF'[Math.floor(Math.random() * 2)]}${String(Math.floor(Math.random() * 100000)).padStart(5, '0')}`;
    const vin1 = randomVin();
    const csv = [
      HEADER,
      `02,${p1},${vin1},EN001234,2026-03-01T08:15:00+08:00,"示范市深南大道与华富路交叉口",1625,驾驶机动车违反道路交通信号灯通行的,6,200,unprocessed`,
      `02,${p1.toLowerCase()},${vin1},EN001234,2026-03-05T10:00:00Z,"示范市华强北路 1002 号, 东侧",1039,"机动车违反规定停放、临时停车，妨碍其他车辆、行人通行的",0,150,paid`,
      `81,${ne},,ENG77889900,2026-04-01T09:00:00+08:00,示范市北环大道,1303,"驾驶机动车在城市道路上行驶超过规定时速未达到20%的",1,50,processed`,
      `02,粤T1234O,${randomVin()},ENG0001,2026-03-01T08:15:00+08:00,某路,1625,闯红灯,6,200,unprocessed`, // line 5: O in serial
      `02,${p2},${randomVin()},ENG0002,2026-03-01 08:15:00,某路,1625,闯红灯,6,200,unprocessed`, // line 6: no offset
      `02,${p2},${randomVin()},ENG0003,2026-03-01T08:15:00+08:00,某路,1625,闯红灯,15,200,unprocessed`, // line 7: points
      `02,${p2},${randomVin()},ENG0004,2026-03-01T08:15:00+08:00,某路,1625,闯红灯,6,200,cancelled`, // line 8: status
      `02,${p2},too-short,ENG0005,2026-03-01T08:15:00+08:00,某路,1625,闯红灯,6,200,unprocessed`, // line 9: vin
      `02,${p2},${randomVin()},ENG0006,2026-03-01T08:15:00+08:00,某路,1625,闯红灯,6,200`, // line 10: columns
      `33,${p2},${randomVin()},ENG0007,2026-03-01T08:15:00+08:00,某路,1625,闯红灯,6,200,unprocessed`, // line 11: plate type
      '',
    ].join('\n');

    const first = await importViolationsCsv(db, csv, { batchSize: 2 });
    expect(first).toMatchObject({ rows: 10, imported: 3, skipped: 7, batches: 2 });
    expect(first.problems).toEqual([
      { line: 5, reason: 'plate_no: 号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0' },
      { line: 6, reason: 'occurred_at: 应为带时区的 ISO 8601 时间，如 2024-05-01T08:30:00+08:00' },
      { line: 7, reason: 'points: 记分应为0–12的整数' },
      { line: 8, reason: 'status: 应为 unprocessed、processed 或 paid' },
      { line: 9, reason: 'vin: 车辆识别代号应为17位字母或数字（不含 I、O、Q）' },
      { line: 10, reason: '应有 11 列，实际 10 列' },
      { line: 11, reason: 'plate_type: 号牌种类代码 33 不存在，请从列表中选择' },
    ]);

    const readBack = async () =>
      db
        .select({ plateType: violations.plateType, plateNo: violations.plateNo, occurredAt: violations.occurredAt, location: violations.location, status: violations.status, updatedAt: violations.updatedAt })
        .from(violations)
        .where(inArray(violations.plateNo, [p1, ne, p2]))
        .orderBy(violations.occurredAt);
    const rows = await readBack();
    expect(rows.map((r) => [r.plateType, r.plateNo, r.occurredAt.toISOString(), r.status])).toEqual([
      ['02', p1, '2026-03-01T00:15:00.000Z', 'unprocessed'],
      ['02', p1, '2026-03-05T10:00:00.000Z', 'paid'],
      ['52', ne, '2026-04-01T01:00:00.000Z', 'processed'], // 81 stored as the standard 52
    ]);
    expect(rows[1]!.location).toBe('示范市华强北路 1002 号, 东侧');
    const [veh] = await db.select().from(vehicles).where(and(eq(vehicles.plateType, '02'), eq(vehicles.plateNo, p1)));
    expect(veh?.vin).toBe(vin1);
    const [code] = await db.select().from(violationBehaviours).where(eq(violationBehaviours.code, '1303'));
    expect(code).toMatchObject({ points: 1, fineYuan: 50 });

    // Same file again: same rows, nothing duplicated, gxsj untouched.
    const second = await importViolationsCsv(db, csv, { batchSize: 2 });
    expect(second).toMatchObject({ rows: 10, imported: 3, skipped: 7 });
    expect(await readBack()).toEqual(rows);

    // A status change updates the existing record in place.
    const paid = csv.replace(/,6,200,unprocessed\n/, ',6,200,paid\n');
    await importViolationsCsv(db, paid);
    const after = await readBack();
    expect(after).toHaveLength(3);
    expect(after[0]!.status).toBe('paid');
  });

  it('refuses a file without the expected header', async () => {
    await expect(importViolationsCsv(testDb().db, 'plate,no\n02,粤B12345')).rejects.toThrow(/header/);
  });
});
