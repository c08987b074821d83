import { defineConfig } from 'drizzle-kit';

// Only used to generate migrations (`npm run db:generate`); the app applies them itself at start.
export default defineConfig({
  dialect: 'mysql',
  schema: './db/schema/*.ts',
  out: './db/migrations',
  casing: undefined,
});
