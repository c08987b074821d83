import { readFile } from 'node:fs/promises';
import { connectDatabase, ensureDatabase } from '../../db/connect';
import { runMigrations } from '../../db/migrate';
import { loadConfig } from '../config';
import { importViolationsCsv } from './import';

// `npm run import:violations -- <file.csv> [--authority=<采集机关名称>]`
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
const authority = args.find((a) => a.startsWith('--authority='))?.slice('--authority='.length) ?? null;
if (!file) {
  process.stderr.write('usage: npm run import:violations -- <file.csv> [--authority=<name>]\n');
  process.exit(2);
}
const config = loadConfig();
await ensureDatabase(config.database.url);
await runMigrations(config.database.url);
const handle = connectDatabase(config.database.url, 2);
try {
  const text = await readFile(file, 'utf8');
  const summary = await importViolationsCsv(handle.db, text, {
    authority,
    onProblem: (p) => process.stderr.write(`line ${p.line}: ${p.reason}\n`),
  });
  console.log(`read ${summary.rows} row(s): ${summary.imported} imported or updated in ${summary.batches} batch(es), ${summary.skipped} skipped`);
  process.exitCode = summary.skipped > 0 ? 1 : 0;
} catch (err) {
  process.stderr.write(`import failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
