import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openServerConnection, parseDatabaseUrl } from '../../db/connect';
import { MIGRATIONS_DIR, migrationState, runMigrations } from '../../db/migrate';
import { scratchDatabase } from '../support/db';

const journal = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };

async function tablesOf(url: string) {
  const conn = await openServerConnection(url);
  try {
    const [rows] = await conn.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY 1', [parseDatabaseUrl(url).database]);
    return (rows as { t: string }[]).map((r) => r.t);
  } finally {
    await conn.end();
  }
}

async function stateOf(url: string) {
  const conn = await openServerConnection(url);
  try {
    await conn.query(`USE \`${parseDatabaseUrl(url).database}\``);
    return await migrationState(async (sql) => (await conn.query(sql))[0] as unknown[]);
  } finally {
    await conn.end();
  }
}

describe('migrations', () => {
  it('apply every committed migration to an empty database, then are a no-op', async () => {
    const url = await scratchDatabase('mig');
    expect((await stateOf(url)).state).toBe('pending');
    const first = await runMigrations(url);
    expect(first.applied).toBe(journal.entries.length);
    expect(await tablesOf(url)).toEqual(expect.arrayContaining(['__drizzle_migrations', 'citizens', 'seed_runs', 'usage_events']));
    expect(await stateOf(url)).toMatchObject({ state: 'ok', applied: journal.entries.length });
    expect((await runMigrations(url)).applied).toBe(0);
  });

  it('several instances migrating at once apply each migration exactly once (database lock)', async () => {
    const url = await scratchDatabase('migrace');
    const results = await Promise.all([runMigrations(url), runMigrations(url), runMigrations(url), runMigrations(url)]);
    expect(results.reduce((n, r) => n + r.applied, 0)).toBe(journal.entries.length);
    expect((await stateOf(url)).state).toBe('ok');
  });

  it('the usage table has the indexes time-range reports rely on', async () => {
    const url = await scratchDatabase('migidx');
    await runMigrations(url);
    const conn = await openServerConnection(url);
    const [rows] = await conn.query('SELECT index_name AS i, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS c FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? GROUP BY index_name', [
      parseDatabaseUrl(url).database,
      'usage_events',
    ]);
    await conn.end();
    const idx = Object.fromEntries((rows as { i: string; c: string }[]).map((r) => [r.i, r.c]));
    expect(idx).toMatchObject({ usage_events_occurred_at_idx: 'occurred_at', usage_events_kind_occurred_at_idx: 'kind,occurred_at' });
  });
});
