import { loadConfig } from '../../server/config';
import { connectDatabase, ensureDatabase } from '../connect';
import { runMigrations } from '../migrate';
import { runSeeds, seedStepsFor } from './index';

// `npm run db:seed`: apply migrations, then any demo-data step that has not run yet.
const config = loadConfig();
await ensureDatabase(config.database.url);
await runMigrations(config.database.url);
const handle = connectDatabase(config.database.url, 2);
try {
  const ran = await runSeeds(handle.db, seedStepsFor(config));
  console.log(ran.length ? `seeded: ${ran.join(', ')}` : 'demo data already present; nothing to do');
} finally {
  await handle.close();
}
