import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { Pool } from 'mysql2/promise';
import * as applications from './applications';
import * as appointments from './appointments';
import * as citizens from './citizens';
import * as notifications from './notifications';
import * as reports from './reports';
import * as sessions from './sessions';
import * as staff from './staff';
import * as system from './system';
import * as usage from './usage';
import * as violations from './violations';
import * as wechat from './wechat';

export * from './applications';
export * from './appointments';
export * from './citizens';
export * from './notifications';
export * from './reports';
export * from './sessions';
export * from './staff';
export * from './system';
export * from './usage';
export * from './violations';
export * from './wechat';

export const schema = { ...applications, ...appointments, ...citizens, ...notifications, ...reports, ...sessions, ...staff, ...system, ...usage, ...violations, ...wechat };
export type Schema = typeof schema;

/** drizzle over a mysql2 pool; `$client` is the pool, for the rare bulk path that bypasses the builder. */
export type Database = MySql2Database<Schema> & { $client: Pool };
/** The handle a service receives inside `db.transaction(async (tx) => …)`. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Either: services that may run inside a caller's transaction accept this. */
export type Executor = Database | Transaction;
