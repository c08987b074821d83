import { and, eq, isNull, sql } from 'drizzle-orm';
import { loadHolidayCalendar } from '../../server/calendar';
import { toShanghaiDate } from '../../server/calendar/civil-date';
import { materialiseSlots } from '../../server/appointments/service';
import { appointmentServices, officeHours, offices, type Transaction } from '../schema';

/**
 * Demo appointment data for the sandbox: service types, three offices with weekly hours
 * (Monday–Friday, one office also Saturday mornings) and the slots of the next 30 days
 * (holidays closed, 调休 workdays open). Later days are materialised on demand by the service.
 */
export const DEMO_APPOINTMENT_SERVICES = [
  { code: 'licence_renewal', name: '驾驶证换证', durationMinutes: 20, materials: ['居民身份证', '原驾驶证', '县级或者部队团级以上医疗机构出具的有关身体条件的证明'], sortOrder: 1 },
  { code: 'vehicle_registration', name: '机动车登记', durationMinutes: 40, materials: ['机动车所有人身份证明', '购车发票', '机动车整车出厂合格证明', '交通事故责任强制保险凭证'], sortOrder: 2 },
  { code: 'violation_processing', name: '违法处理', durationMinutes: 15, materials: ['驾驶证', '行驶证'], sortOrder: 3 },
  { code: 'licence_replacement', name: '驾驶证补证', durationMinutes: 20, materials: ['居民身份证'], sortOrder: 4 },
] as const;

/** Coordinates are GCJ-02 (what wx.openLocation takes), made-up but plausible for the districts. */
export const DEMO_OFFICES = [
  { name: '示范市车辆管理所（福田业务大厅）', address: '示范市福田区北环大道 7001 号', phone: '0755-12345670', counters: 12, latitude: 22.559321, longitude: 114.049602 },
  { name: '南山交警大队车管服务站', address: '示范市南山区科技园南路 18 号', phone: '0755-12345671', counters: 6, latitude: 22.538114, longitude: 113.953487 },
  { name: '龙岗交通违法处理窗口', address: '示范市龙岗区龙岗大道 3002 号', phone: '0755-12345672', counters: 4, latitude: 22.720968, longitude: 114.246899 },
] as const;

/** office index → service codes offered */
const OFFERS: Record<number, (typeof DEMO_APPOINTMENT_SERVICES)[number]['code'][]> = {
  0: ['licence_renewal', 'vehicle_registration', 'violation_processing', 'licence_replacement'],
  1: ['licence_renewal', 'violation_processing', 'licence_replacement'],
  2: ['violation_processing'],
};

export async function seedDemoAppointments(tx: Transaction): Promise<void> {
  await tx.insert(appointmentServices).values(DEMO_APPOINTMENT_SERVICES.map((s) => ({ ...s, materials: [...s.materials] }))).onDuplicateKeyUpdate({ set: { name: sql`${appointmentServices.name}` } });
  const services = await tx.select().from(appointmentServices);
  const idOf = new Map(services.map((s) => [s.code, s.id]));
  const hours: (typeof officeHours.$inferInsert)[] = [];
  for (const [i, office] of DEMO_OFFICES.entries()) {
    const [res] = await tx.insert(offices).values({ ...office });
    const officeId = res.insertId;
    for (const code of OFFERS[i] ?? []) {
      const serviceId = idOf.get(code);
      if (serviceId === undefined) continue;
      const capacity = Math.max(1, Math.floor(office.counters / (OFFERS[i]?.length ?? 1)));
      for (let wd = 1; wd <= 5; wd++) {
        hours.push({ officeId, serviceId, weekday: wd, openMinute: 9 * 60, closeMinute: 12 * 60, slotMinutes: 30, capacity });
        hours.push({ officeId, serviceId, weekday: wd, openMinute: 14 * 60, closeMinute: 17 * 60 + 30, slotMinutes: 30, capacity });
      }
      if (i === 0) hours.push({ officeId, serviceId, weekday: 6, openMinute: 9 * 60, closeMinute: 12 * 60, slotMinutes: 30, capacity });
    }
  }
  await tx.insert(officeHours).values(hours);
  await materialiseSlots(tx, loadHolidayCalendar({}), { from: toShanghaiDate(Date.now()), days: 30 });
}

/** For databases seeded before offices had coordinates: fill them in by name, never overwrite. */
export async function seedDemoOfficeLocations(tx: Transaction): Promise<void> {
  for (const o of DEMO_OFFICES) {
    await tx
      .update(offices)
      .set({ latitude: o.latitude, longitude: o.longitude })
      .where(and(eq(offices.name, o.name), isNull(offices.latitude)));
  }
}
