import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIcs, escapeText, foldLine } from '../../../server/appointments/ics';
import { createTestApp, type TestApp } from '../../support/app';
import { signedInAgent } from '../../support/citizen-agent';
import { testDb } from '../../support/db';
import { at, makeOffice, makeService, makeSlot } from './fixtures';

const START = Date.parse('2026-09-15T00:00:00Z');
let t: TestApp;
beforeAll(() => {
  t = createTestApp({ now: () => START, env: { PUBLIC_BASE_URL: 'https://portal.example.gov.cn' } });
});
afterAll(() => t.close());

/** Unfold per RFC 5545 §3.1 */
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

describe('ICS writer', () => {
  it('escapes text values', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });

  it('folds at 75 octets without splitting a UTF-8 character', () => {
    const line = `DESCRIPTION:${'请携带居民身份证、'.repeat(20)}`;
    const folded = foldLine(line);
    for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(unfold(folded)).toBe(line);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });

  it('builds CRLF lines only', () => {
    const ics = buildIcs({ uid: 'u@x', stamp: new Date(0), start: new Date(0), end: new Date(60_000), summary: 's', location: 'l', description: 'd', cancelled: false });
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });
});

describe('GET /api/h5/appointments/:id/ics', () => {
  it('is a valid calendar file for the booking', async () => {
    const db = testDb().db;
    const service = await makeService(db, { name: '驾驶证换证（测试）', materials: ['居民身份证', '原驾驶证', '县级或者部队团级以上医疗机构出具的有关身体条件的证明'] });
    const office = await makeOffice(db, { name: '示范市车辆管理所', address: '福田区北环大道 7001 号; 2 楼, A 区' });
    const slot = await makeSlot(db, { officeId: office.id, serviceId: service.id, startsAt: at('2026-09-17', 9, 30) });
    const { agent } = await signedInAgent(t);
    const a = (await agent.post('/api/h5/appointments').send({ slotId: slot.id })).body.data;
    const res = await agent.get(`/api/h5/appointments/${a.id}/ics`).buffer(true).parse((r, cb) => {
      let s = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (s += c));
      r.on('end', () => cb(null, s));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="appointment-${a.confirmationCode}.ics"`);
    const body = res.body as string;
    expect(body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF only
    for (const l of body.split('\r\n')) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    const lines = unfold(body).split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines.some((l) => l.startsWith('PRODID:'))).toBe(true);
    expect(lines).toContain('BEGIN:VEVENT');
    expect(lines).toContain(`UID:appointment-${a.id}@portal.example.gov.cn`);
    expect(lines).toContain('DTSTAMP:20260915T000000Z');
    expect(lines).toContain('DTSTART:20260917T013000Z');
    expect(lines).toContain('DTEND:20260917T020000Z');
    expect(lines).toContain('SUMMARY:交警业务预约：驾驶证换证（测试）');
    expect(lines).toContain('LOCATION:示范市车辆管理所，福田区北环大道 7001 号\\; 2 楼\\, A 区');
    const desc = lines.find((l) => l.startsWith('DESCRIPTION:'))!;
    expect(desc).toContain(`确认码：${a.confirmationCode}\\n请携带：居民身份证、原驾驶证、`);
    expect(lines).toContain('STATUS:CONFIRMED');
    expect(lines.at(-2)).toBe('END:VCALENDAR');
    expect(lines.at(-1)).toBe('');
  });
});
