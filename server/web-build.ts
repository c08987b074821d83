import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = '.source-hash';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

/**
 * A hash of what the web build reads: sources, the Vite config and the lockfile. (Server files
 * the web imports with `import type` vanish at build time and cannot change the output.)
 * Content, not mtimes: a fresh clone or a branch switch is judged by what is in the files.
 */
export function webSourceHash(): string {
  const files = [
    ...listFiles(join(ROOT, 'web/src')),
    join(ROOT, 'web/vite.config.ts'),
    join(ROOT, 'package-lock.json'),
  ]
    .filter((f) => existsSync(f))
    .sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(ROOT, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

export function webBuildIsCurrent(distDir: string): boolean {
  const dist = resolve(ROOT, distDir);
  const stamp = join(dist, STAMP);
  if (!existsSync(stamp) || !existsSync(join(dist, 'h5/index.html'))) return false;
  return readFileSync(stamp, 'utf8').trim() === webSourceHash();
}

/** Build web/dist when it is missing or older than its sources. Resolves with whether it built. */
export async function ensureWebBuild(distDir: string, log: (m: string) => void, opts: { force?: boolean } = {}): Promise<boolean> {
  if (!opts.force && webBuildIsCurrent(distDir)) return false;
  const dist = resolve(ROOT, distDir);
  const hash = webSourceHash();
  log('building the web pages (first start or sources changed)…');
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  await new Promise<void>((res, rej) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', join(ROOT, 'web/vite.config.ts'), '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      // Always a production build: under vitest NODE_ENV is `test`, which made Vite bundle Vue's
      // development build (+40 KB gzip), and the stamp would then pass it off to `npm start`.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', rej);
    child.once('exit', (code) => (code === 0 ? res() : rej(new Error(`web build failed (vite exited with ${code})`))));
  });
  writeFileSync(join(dist, STAMP), hash);
  return true;
}
