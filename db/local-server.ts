import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProcessEnv } from '../server/config';
import { openServerConnection } from './connect';

/**
 * A private MariaDB/MySQL for a machine that has the server binary installed but nothing
 * listening at the default URL (a laptop, a fresh CI box). It lives under DATA_DIR, listens on
 * 127.0.0.1 on its own port and socket, is initialised on first use and stopped with the app.
 */

export interface LocalServer {
  url: string;
  /** false when an instance left running by an earlier start was reused */
  startedHere: boolean;
  stop(): Promise<void>;
}

const WHY = {
  'no-binary': 'and no mariadbd/mysqld binary is installed to start a private one.',
  explicit: 'and DATABASE_URL was set explicitly, so no private server is started in its place.',
  disabled: 'and DATABASE_AUTOSTART=never forbids starting a private server.',
} as const;

export class NoDatabaseServerError extends Error {
  constructor(url: string, reason: keyof typeof WHY = 'no-binary') {
    super(
      [
        `No MySQL/MariaDB server answers at ${url.replace(/\/\/[^@]*@/, '//***@')} ${WHY[reason]}`,
        'Either set DATABASE_URL to a reachable server, e.g. DATABASE_URL=mysql://user:pass@host:3306/govportal,',
        'or install MariaDB:  Debian/Ubuntu: sudo apt-get install mariadb-server   macOS: brew install mariadb',
      ].join('\n'),
    );
    this.name = 'NoDatabaseServerError';
  }
}

const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/mysql/bin', '/opt/homebrew/bin', '/opt/homebrew/sbin'];

function findBinary(names: string[]): string | undefined {
  const dirs = [...(readProcessEnv('PATH') ?? '').split(':').filter(Boolean), ...SEARCH_DIRS];
  for (const name of names) {
    for (const dir of dirs) {
      const p = `${dir}/${name}`;
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        /* keep looking */
      }
    }
  }
  return undefined;
}

export function findServerBinary(): { server: string; flavour: 'mariadb' | 'mysql' } | undefined {
  const maria = findBinary(['mariadbd']);
  if (maria) return { server: maria, flavour: 'mariadb' };
  const mysqld = findBinary(['mysqld']);
  if (!mysqld) return undefined;
  const version = spawnSync(mysqld, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return { server: mysqld, flavour: /mariadb/i.test(version) ? 'mariadb' : 'mysql' };
}

/** True when something accepts connections with these credentials; false when nothing listens. */
export async function canConnect(url: string): Promise<boolean> {
  try {
    const conn = await openServerConnection(url);
    await conn.end();
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOENT', 'ENOTFOUND', 'ECONNRESET'].includes(code)) return false;
    throw err; // a server is there but refused us (credentials, TLS): do not paper over that
  }
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function initialise(bin: { server: string; flavour: 'mariadb' | 'mysql' }, datadir: string, log: (m: string) => void) {
  log(`initialising a private ${bin.flavour} data directory in ${datadir} (first start only)`);
  const asRoot = process.getuid?.() === 0;
  let result;
  if (bin.flavour === 'mariadb') {
    const installer = findBinary(['mariadb-install-db', 'mysql_install_db']);
    if (!installer) throw new Error('mariadb-install-db is missing; install the full mariadb-server package');
    result = spawnSync(
      installer,
      ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...(asRoot ? ['--user=root'] : [])],
      { encoding: 'utf8' },
    );
  } else {
    result = spawnSync(bin.server, ['--no-defaults', '--initialize-insecure', `--datadir=${datadir}`, ...(asRoot ? ['--user=root'] : [])], { encoding: 'utf8' });
  }
  if (result.status !== 0) {
    throw new Error(`could not initialise ${datadir}: ${(result.stderr || result.stdout || '').slice(-2000)}`);
  }
}

export async function startLocalServer(dataDir: string, log: (m: string) => void = () => undefined): Promise<LocalServer> {
  const bin = findServerBinary();
  if (!bin) throw new NoDatabaseServerError('mysql://127.0.0.1:3306');
  const base = resolve(dataDir);
  const datadir = `${base}/mysql`;
  const pidFile = `${base}/mysql.pid`;
  const portFile = `${base}/mysql.port`;
  mkdirSync(base, { recursive: true });

  // A private server left running by an earlier (killed) start: reuse it rather than fight it for the datadir.
  if (existsSync(pidFile) && existsSync(portFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const port = Number(readFileSync(portFile, 'utf8').trim());
    const url = `mysql://root@127.0.0.1:${port}/`;
    if (pid > 0 && pidAlive(pid) && (await canConnect(url).catch(() => false))) {
      log(`reusing the private database server already running on port ${port}`);
      return { url, startedHere: false, stop: async () => undefined };
    }
  }

  if (!existsSync(`${datadir}/mysql`)) initialise(bin, datadir, log);
  const port = await freePort();
  const args = [
    '--no-defaults',
    `--datadir=${datadir}`,
    `--socket=${base}/mysql.sock`,
    `--pid-file=${pidFile}`,
    `--log-error=${base}/mysql.err`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    '--skip-name-resolve',
    ...(bin.flavour === 'mysql' ? ['--mysqlx=OFF'] : []),
    ...(process.getuid?.() === 0 ? ['--user=root'] : []),
  ];
  const child: ChildProcess = spawn(bin.server, args, { stdio: 'ignore', detached: false });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  writeFileSync(portFile, String(port));
  const url = `mysql://root@127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the private database server exited during start; see ${base}/mysql.err`);
    if (await canConnect(url).catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the private database server did not accept connections within 60s; see ${base}/mysql.err`);
    }
    await sleep(250);
  }
  log(`started a private ${bin.flavour} server on 127.0.0.1:${port} (data in ${datadir})`);
  return {
    url,
    startedHere: true,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM'); // mariadbd/mysqld shut down cleanly on SIGTERM
      await Promise.race([done, sleep(30_000)]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}
