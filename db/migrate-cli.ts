import { loadConfig } from '../server/config';
import { ensureDatabase } from './connect';
import { runMigrations } from './migrate';

// `npm run db:migrate`: what `npm start` does first, on its own (e.g. a deploy step).
const config = loadConfig();
await ensureDatabase(config.database.url);
const { applied } = await runMigrations(config.database.url);
console.log(applied ? `applied ${applied} migration(s)` : 'database is up to date');
