import { describe, expect, it } from 'vitest';
import { createCitizenService } from '../../../server/citizens/service';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';

describe('citizens.displayNames (batch lookup for staff lists)', () => {
  it('answers every known id in one call, null for a citizen without a name, nothing for unknown ids', async () => {
    const { db } = testDb();
    const citizens = createCitizenService({ db });
    const a = await makeCitizen(db, { displayName: '张伟' });
    const b = await makeCitizen(db, { displayName: '欧阳小明' });
    const nameless = await makeCitizen(db, { displayName: null });
    const unknown = b.id + 1_000_000;

    const names = await citizens.displayNames([a.id, b.id, a.id, nameless.id, unknown]);
    expect([...names.entries()].sort(([x], [y]) => x - y)).toEqual(
      [
        [a.id, '张伟'],
        [b.id, '欧阳小明'],
        [nameless.id, null],
      ].sort(([x], [y]) => (x as number) - (y as number)),
    );
    expect(names.has(unknown)).toBe(false);
  });

  it('an empty list is an empty map (no IN () statement, which MariaDB rejects)', async () => {
    const citizens = createCitizenService({ db: testDb().db });
    expect((await citizens.displayNames([])).size).toBe(0);
  });
});
