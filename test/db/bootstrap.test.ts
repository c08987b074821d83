import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../../db/bootstrap';
import { connectDatabase } from '../../db/connect';
import { canConnect, NoDatabaseServerError, startLocalServer } from '../../db/local-server';
import { migrationState } from '../../db/migrate';
import { parseConfig } from '../../server/config';
import { sql } from 'drizzle-orm';

describe('database bootstrap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govportal-local-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an explicit DATABASE_URL that does not answer fails with a message naming DATABASE_URL, starting nothing', async () => {
    const config = parseConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:1/govportal', DATA_DIR: dir });
    const err = await prepareDatabase(config, () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoDatabaseServerError);
    expect((err as Error).message).toContain('DATABASE_URL');
    expect((err as Error).message).toMatch(/install MariaDB/i);
  });

  it('with only the default URL and nothing answering, starts a private server under DATA_DIR; reusable after a restart', async () => {
    const base = parseConfig({ DATA_DIR: dir });
    // The default URL, as if nothing listened on it (port 1 never answers).
    const config = { ...base, database: { ...base.database, url: 'mysql://root@127.0.0.1:1/govportal', isDefaultUrl: true } };
    const log: string[] = [];
    const prepared = await prepareDatabase(config, (m) => log.push(m));
    const first = prepared.localServer!;
    try {
      expect(first.startedHere).toBe(true);
      expect(log.join('\n')).toMatch(/initialising a private/);
      expect(prepared.url).toMatch(/^mysql:\/\/root@127\.0\.0\.1:\d+\/govportal$/);
      expect(prepared.migrationsApplied).toBeGreaterThan(0);
      const h = connectDatabase(prepared.url, 1);
      await h.db.execute(sql`INSERT INTO citizens (openid) VALUES ('oPersisted')`);
      const state = await migrationState(async (q) => ((await h.db.execute(sql.raw(q))) as unknown as [unknown[]])[0]);
      expect(state.state).toBe('ok');
      await h.close();
    } finally {
      await first.stop();
    }
    expect(await canConnect(first.url)).toBe(false); // stopped with the app

    const second = await startLocalServer(dir); // same data directory, no re-initialisation
    try {
      const h = connectDatabase(`${second.url}govportal`, 1);
      expect(second.startedHere).toBe(true);
      const [rows] = (await h.db.execute(sql`SELECT openid FROM citizens`)) as unknown as [{ openid: string }[]];
      expect(rows.map((r) => r.openid)).toContain('oPersisted');
      await h.close();
    } finally {
      await second.stop();
    }
  }, 120_000);
});
