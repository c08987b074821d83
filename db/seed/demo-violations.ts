import { createHash } from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import { citizens, driverLicences, vehicleBindings, vehicles, violationBehaviours, violations, type Transaction } from '../schema';
import { DEMO_CITIZENS } from './demo-citizens';

/**
 * Demo violation data for the sandbox: behaviour codes, a few vehicles (some bound to demo
 * citizens, one to look up with proof, one without records) and licences. Plates use 粤B.
 * Points and fines are kept as data on the behaviour codes (REFERENCE.md: values unconfirmed).
 */
export const DEMO_BEHAVIOURS = [
  { code: '1625', text: '驾驶机动车违反道路交通信号灯通行的', points: 6, fineYuan: 200 },
  { code: '1039', text: '机动车违反规定停放、临时停车，妨碍其他车辆、行人通行的', points: 0, fineYuan: 150 },
  { code: '1352', text: '驾驶机动车行驶超过规定时速20%以上未达到50%的', points: 6, fineYuan: 200 },
  { code: '1303', text: '驾驶机动车在城市道路上行驶超过规定时速未达到20%的', points: 1, fineYuan: 50 },
  { code: '1345', text: '驾驶机动车违反禁令标志指示的', points: 3, fineYuan: 200 },
  { code: '1240', text: '驾驶人未按规定使用安全带的', points: 1, fineYuan: 50 },
  { code: '1223', text: '驾驶机动车有拨打、接听手持电话等妨碍安全驾驶的行为的', points: 3, fineYuan: 200 },
  { code: '1357', text: '驾驶机动车行经人行横道，不按规定减速、停车、避让行人的', points: 3, fineYuan: 200 },
  { code: '1018', text: '机动车不在机动车道内行驶的', points: 1, fineYuan: 100 },
  { code: '1301', text: '驾驶机动车不按导向车道行驶的', points: 1, fineYuan: 100 },
] as const;

/** vin/engine values are fictional; the lookup demo uses the VIN suffix shown in the sandbox notes */
export const DEMO_VEHICLES = [
  { plateType: '02', plateNo: '粤B8K2M7', vin: 'LSVAU2180N2123456', engineNo: 'CSS123456', ownerName: '张伟', citizen: 0 },
  { plateType: '52', plateNo: '粤BD12345', vin: 'LGXCE4CB0P1654321', engineNo: 'TZ220XS0654321', ownerName: '李娜', citizen: 1 },
  { plateType: '02', plateNo: '粤B5N9X3', vin: 'LFV2A21K7M3987654', engineNo: 'DKX987654', ownerName: '王芳', citizen: null },
  { plateType: '01', plateNo: '粤B2C688', vin: 'LZZ1CLSB0MA246810', engineNo: 'WP10H246810', ownerName: '刘洋', citizen: 3 },
  { plateType: '16', plateNo: '粤B7J25学', vin: 'LSGKB54H9LA135790', engineNo: 'L2B135790', ownerName: '示范市驾驶培训有限公司', citizen: null },
] as const;

const DEMO_VIOLATIONS: { plate: string; at: string; location: string; code: (typeof DEMO_BEHAVIOURS)[number]['code']; status: 'unprocessed' | 'processed' | 'paid'; paidAt?: string; decisionNo?: string }[] = [
  { plate: '粤B8K2M7', at: '2026-10-12T08:17:42+08:00', location: '深南大道与华富路交叉口', code: '1625', status: 'unprocessed' },
  { plate: '粤B8K2M7', at: '2026-09-03T18:45:10+08:00', location: '滨海大道科苑立交东行 2.3 公里处', code: '1352', status: 'processed' },
  { plate: '粤B8K2M7', at: '2026-05-21T12:05:33+08:00', location: '华强北路 1002 号门前', code: '1039', status: 'paid', paidAt: '2026-05-30T10:12:00+08:00' },
  { plate: '粤BD12345', at: '2026-11-02T07:58:01+08:00', location: '北环大道香蜜湖立交西行', code: '1303', status: 'unprocessed' },
  { plate: '粤B5N9X3', at: '2026-08-14T21:30:00+08:00', location: '红荔路与新洲路交叉口', code: '1357', status: 'processed', decisionNo: '440304100012345678' },
  { plate: '粤B5N9X3', at: '2026-10-28T16:22:19+08:00', location: '福田区益田路 6009 号', code: '1223', status: 'unprocessed' },
  { plate: '粤B7J25学', at: '2026-07-09T09:10:45+08:00', location: '龙岗大道布吉段', code: '1018', status: 'paid', paidAt: '2026-07-15T15:40:00+08:00' },
];

const LICENCES = [
  { citizen: 0, no: '440304198805120011', vehicleClass: 'C1', points: 6, cycleStart: '2026-05-12', cycleEnd: '2027-05-11' },
  { citizen: 1, no: '440305199102230022', vehicleClass: 'C1', points: 1, cycleStart: '2026-02-23', cycleEnd: '2027-02-22' },
  { citizen: 3, no: '440306198511080033', vehicleClass: 'A2', points: 0, cycleStart: '2026-11-08', cycleEnd: '2027-11-07' },
  { citizen: 4, no: '440303195603150044', vehicleClass: 'C1', points: 3, cycleStart: '2026-03-15', cycleEnd: '2027-03-14' },
];

export const maskLicenceNo = (no: string) => `${no.slice(0, 4)}${'*'.repeat(Math.max(0, no.length - 8))}${no.slice(-4)}`;
export const hashLicenceNo = (no: string) => createHash('sha256').update(`licence:${no}`).digest('hex');

export async function seedDemoViolations(tx: Transaction): Promise<void> {
  const behaviourByCode = new Map(DEMO_BEHAVIOURS.map((b) => [b.code, b]));
  await tx
    .insert(violationBehaviours)
    .values([...DEMO_BEHAVIOURS])
    .onDuplicateKeyUpdate({ set: { text: sql`${violationBehaviours.text}` } });
  await tx
    .insert(vehicles)
    .values(DEMO_VEHICLES.map(({ citizen: _c, ...v }) => v))
    .onDuplicateKeyUpdate({ set: { ownerName: sql`${vehicles.ownerName}` } });
  const vrows = await tx.select({ id: vehicles.id, plateNo: vehicles.plateNo, plateType: vehicles.plateType }).from(vehicles).where(inArray(vehicles.plateNo, DEMO_VEHICLES.map((v) => v.plateNo)));
  const vehicleOf = new Map(vrows.map((v) => [v.plateNo, v]));
  const crows = await tx.select({ id: citizens.id, openid: citizens.openid }).from(citizens).where(inArray(citizens.openid, DEMO_CITIZENS.map((c) => c.openid)));
  const citizenId = (i: number) => crows.find((c) => c.openid === DEMO_CITIZENS[i]?.openid)?.id;

  await tx
    .insert(violations)
    .values(
      DEMO_VIOLATIONS.map((d) => {
        const v = vehicleOf.get(d.plate)!;
        const b = behaviourByCode.get(d.code)!;
        return {
          vehicleId: v.id,
          plateType: v.plateType,
          plateNo: v.plateNo,
          occurredAt: new Date(d.at),
          location: `示范市${d.location}`,
          behaviourCode: b.code,
          behaviourText: b.text,
          points: b.points,
          fineYuan: b.fineYuan,
          authority: '示范市公安局交通警察支队福田大队',
          status: d.status,
          paidAt: d.paidAt ? new Date(d.paidAt) : null,
          decisionNo: d.decisionNo ?? null,
        };
      }),
    )
    .onDuplicateKeyUpdate({ set: { status: sql`${violations.status}` } });

  const bindings = DEMO_VEHICLES.flatMap((v) => {
    const cid = v.citizen === null ? undefined : citizenId(v.citizen);
    const vid = vehicleOf.get(v.plateNo)?.id;
    return cid && vid ? [{ citizenId: cid, vehicleId: vid, verifiedAt: new Date() }] : [];
  });
  if (bindings.length) await tx.insert(vehicleBindings).ignore().values(bindings);

  const licences = LICENCES.flatMap((l) => {
    const cid = citizenId(l.citizen);
    return cid
      ? [{ licenceNoHash: hashLicenceNo(l.no), licenceNoMasked: maskLicenceNo(l.no), vehicleClass: l.vehicleClass, citizenId: cid, pointsInCycle: l.points, cycleStart: l.cycleStart, cycleEnd: l.cycleEnd }]
      : [];
  });
  if (licences.length) await tx.insert(driverLicences).ignore().values(licences);
}
