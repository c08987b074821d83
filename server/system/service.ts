import { sql } from 'drizzle-orm';
import type { Database } from '../../db/schema';
import { migrationState } from '../../db/migrate';
import type { UsageRecorder, UsageStats } from '../usage/recorder';

export interface Readiness {
  ready: boolean;
  checks: { database: 'ok' | 'fail'; migrations: 'ok' | 'pending' | 'ahead' | 'unknown'; accepting: 'ok' | 'draining' };
  usage: UsageStats;
}

export interface SystemService {
  health(): { status: 'ok'; uptimeS: number };
  readiness(): Promise<Readiness>;
  /** Called when shutdown begins: readiness fails so a balancer stops sending new work. */
  startDraining(): void;
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), ms).unref())]);

export function createSystemService(deps: { db: Database; usage: UsageRecorder; startedAt?: number; now?: () => number }): SystemService {
  const now = deps.now ?? Date.now;
  const startedAt = deps.startedAt ?? now();
  let draining = false;
  const query = async (text: string) => {
    const [rows] = (await deps.db.execute(sql.raw(text))) as unknown as [unknown[]];
    return rows;
  };
  return {
    health: () => ({ status: 'ok', uptimeS: Math.round((now() - startedAt) / 1000) }),
    startDraining() {
      draining = true;
    },
    async readiness() {
      let database: Readiness['checks']['database'] = 'ok';
      let migrations: Readiness['checks']['migrations'] = 'unknown';
      try {
        await withTimeout(query('SELECT 1'), 2000);
        migrations = (await withTimeout(migrationState(query), 2000)).state;
      } catch {
        database = 'fail';
      }
      const checks = { database, migrations, accepting: draining ? ('draining' as const) : ('ok' as const) };
      // A newer release may have migrated ahead of us (expand/contract): still serviceable.
      const ready = database === 'ok' && (migrations === 'ok' || migrations === 'ahead') && !draining;
      return { ready, checks, usage: deps.usage.stats() };
    },
  };
}
