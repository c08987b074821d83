import { randomBytes } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { appointmentEvents, appointmentSlots, appointments, citizens, type Database } from '../../db/schema';
import type { UsageInput } from '../../server/usage/recorder';
import type { BeaconEvent } from '../../server/usage/schema';

export const fakeOpenid = () => `oTest${randomBytes(17).toString('base64url')}`.slice(0, 28);
export const fakeVisitId = () => randomBytes(12).toString('base64url');

export async function makeCitizen(db: Database, overrides: Partial<typeof citizens.$inferInsert> = {}) {
  const row = { openid: fakeOpenid(), subscribed: true, subscribedAt: new Date(), ...overrides };
  const [res] = await db.insert(citizens).values(row);
  return { id: res.insertId, ...row };
}

export function beaconEvent(overrides: Partial<BeaconEvent> = {}): BeaconEvent {
  return { kind: 'page_view', name: 'h5.home', visitId: fakeVisitId(), ...overrides };
}

export function usageInput(overrides: Partial<UsageInput> = {}): UsageInput {
  return { kind: 'page_view', source: 'h5', name: 'h5.home', visitId: fakeVisitId(), ...overrides };
}

/** A complete live-mode configuration (nothing here is ever contacted by tests). */
export function liveEnv(): Record<string, string> {
  return {
    WECHAT_APPID: 'wx1234567890abcdef',
    WECHAT_APPSECRET: 'a'.repeat(32),
    WECHAT_TOKEN: 'tok123',
    WECHAT_AES_KEY: 'a'.repeat(43),
    SESSION_SECRET: 's'.repeat(40),
    USAGE_PSEUDONYM_SECRET: 'p'.repeat(40),
    PUBLIC_BASE_URL: 'https://portal.example.gov.cn/',
  };
}

/** Removes a citizen's appointments and gives their seats back, so a rerun on a worker's database starts clean. */
export async function clearAppointmentsOf(db: Database, citizenId: number) {
  const mine = await db.select().from(appointments).where(eq(appointments.citizenId, citizenId));
  for (const a of mine) {
    if (a.status === 'booked' || a.status === 'rescheduled') {
      await db.update(appointmentSlots).set({ booked: sql`${appointmentSlots.booked} - 1` }).where(eq(appointmentSlots.id, a.slotId));
    }
  }
  if (mine.length) {
    await db.delete(appointmentEvents).where(inArray(appointmentEvents.appointmentId, mine.map((a) => a.id)));
    await db.delete(appointments).where(eq(appointments.citizenId, citizenId));
  }
}
