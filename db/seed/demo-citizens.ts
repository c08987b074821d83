import { sql } from 'drizzle-orm';
import { citizens, type Transaction } from '../schema';

/**
 * Test citizens for the WeChat sandbox's phone emulator. Their openids have the shape WeChat
 * uses (28 url-safe characters starting with "o") but the prefix marks them as sandbox-only.
 */
export const DEMO_CITIZENS = [
  { openid: 'oSbxDemo00000000000000000001', displayName: '张伟', acquisitionSource: 'qrscene_office_hall' },
  { openid: 'oSbxDemo00000000000000000002', displayName: '李娜', acquisitionSource: 'search' },
  { openid: 'oSbxDemo00000000000000000003', displayName: '王芳', acquisitionSource: 'qrscene_poster_metro' },
  { openid: 'oSbxDemo00000000000000000004', displayName: '刘洋', acquisitionSource: 'article' },
  { openid: 'oSbxDemo00000000000000000005', displayName: '陈秀英（长辈）', acquisitionSource: 'qrscene_office_hall' },
] as const;

export async function seedDemoCitizens(tx: Transaction): Promise<void> {
  const at = new Date();
  await tx
    .insert(citizens)
    .values(DEMO_CITIZENS.map((c) => ({ ...c, subscribed: true, subscribedAt: at })))
    // A citizen already known (e.g. seeded by an older step) is left as is.
    .onDuplicateKeyUpdate({ set: { displayName: sql`${citizens.displayName}` } });
}
