import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { usageEvents } from '../../db/schema';
import { testDb, uniq, workerDatabaseUrl } from '../support/db';
import { beaconEvent } from '../support/factories';

/** The real entry point as `npm start` runs it, on a free port, with the worker database. */
function startServer(): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH: process.env.PATH, DATABASE_URL: workerDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', WEB_BUILD: 'never', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /ready in \w+ mode on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m && out.includes('health / ready')) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

describe('the server process', () => {
  it('prints the URLs to open, and a beacon posted just before SIGTERM is in the table after exit', async () => {
    const { child, port, output } = await startServer();
    children.push(child);
    for (const path of ['/h5/', '/admin/', '/sandbox/', '/healthz']) expect(output()).toContain(`http://localhost:${port}${path}`);

    // Without any shutdown, the interval flush (1 s by default) writes a beacon on its own.
    const early = uniq('interval');
    await fetch(`http://127.0.0.1:${port}/api/usage/events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ events: [beaconEvent({ name: early })] }) });
    await expect.poll(async () => (await testDb().db.select().from(usageEvents).where(eq(usageEvents.name, early))).length, { timeout: 10_000, interval: 100 }).toBe(1);

    const name = uniq('sigterm');
    const res = await fetch(`http://127.0.0.1:${port}/api/usage/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ events: [beaconEvent({ name })] }),
    });
    expect(res.status).toBe(202);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await testDb().db.select().from(usageEvents).where(eq(usageEvents.name, name))).toHaveLength(1);
  });

  it('finishes a request in flight when SIGTERM arrives (even delivered twice, as npm + tsx do), then exits cleanly', async () => {
    const { child, port } = await startServer();
    children.push(child);
    const name = uniq('inflight');
    const body = JSON.stringify({ events: [beaconEvent({ name })] });
    const half = Math.floor(body.length / 2);
    const response = new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/usage/events', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(body.slice(0, half));
      setTimeout(() => {
        child.kill('SIGTERM'); // the request is half-sent
        child.kill('SIGTERM'); // a relayed duplicate must not cut the drain short
        setTimeout(() => req.end(body.slice(half)), 300);
      }, 200);
    });
    const exited = exitOf(child);
    expect(await response).toBe(202);
    expect(await exited).toBe(0);
    expect(await testDb().db.select().from(usageEvents).where(eq(usageEvents.name, name))).toHaveLength(1);
  });
});
