/**
 * nginx.conf: parsed and checked for properties that could silently regress, validated with
 * `nginx -t`, then run for real (TLS with a throwaway certificate, a temporary web/dist tree
 * and two tiny Node upstreams) to check what clients and the app actually get.
 *
 * nginx must be installed (CI installs it); without it these tests fail, they do not skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONF_PATH = fileURLToPath(new URL('../../nginx.conf', import.meta.url));
const CONF = readFileSync(CONF_PATH, 'utf8');
const DOMAIN = 'portal.example.gov.cn';

// ---------------------------------------------------------------------------------------------
// A small nginx config parser: enough for directives, blocks, quoted strings and comments.

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        // like nginx: only \" \' and \\ lose their backslash (regexes keep theirs)
        if (text[i] === '\\' && ['"', "'", '\\'].includes(text[i + 1] ?? '')) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new Error('nginx.conf: unterminated string');
      i++;
      tokens.push(value);
    } else {
      let word = '';
      while (i < text.length && !/[\s;{}]/.test(text[i]!)) word += text[i++];
      tokens.push(word);
    }
  }
  return tokens;
}

function parse(text: string): Directive[] {
  const tokens = tokenize(text);
  let pos = 0;
  function parseBlock(nested: boolean): Directive[] {
    const out: Directive[] = [];
    while (pos < tokens.length) {
      const name = tokens[pos++]!;
      if (name === '}') {
        if (!nested) throw new Error('nginx.conf: unbalanced }');
        return out;
      }
      const args: string[] = [];
      while (pos < tokens.length && tokens[pos] !== ';' && tokens[pos] !== '{') args.push(tokens[pos++]!);
      const end = tokens[pos++];
      if (end === '{') out.push({ name, args, block: parseBlock(true) });
      else if (end === ';') out.push({ name, args });
      else throw new Error(`nginx.conf: directive ${name} is not terminated`);
    }
    if (nested) throw new Error('nginx.conf: missing }');
    return out;
  }
  return parseBlock(false);
}

function all(block: Directive[], name: string): Directive[] {
  return block.filter((d) => d.name === name);
}

function one(block: Directive[], name: string, ...args: string[]): Directive {
  const found = block.filter((d) => d.name === name && args.every((a, i) => d.args[i] === a));
  if (found.length !== 1) throw new Error(`expected exactly one "${[name, ...args].join(' ')}", found ${found.length}`);
  return found[0]!;
}

function body(d: Directive): Directive[] {
  if (!d.block) throw new Error(`${d.name} ${d.args.join(' ')} has no block`);
  return d.block;
}

function walk(block: Directive[], visit: (d: Directive) => void): void {
  for (const d of block) {
    visit(d);
    if (d.block) walk(d.block, visit);
  }
}

function sizeInBytes(value: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(value);
  if (!m) throw new Error(`not an nginx size: ${value}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

function seconds(value: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(value);
  if (!m) throw new Error(`not an nginx time: ${value}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
}

const tree = parse(CONF);
const httpBlock = body(one(tree, 'http'));
const servers = all(httpBlock, 'server').map(body);
const mainServer = servers.find(
  (s) => all(s, 'server_name').some((d) => d.args.includes(DOMAIN)) && all(s, 'ssl_certificate').length > 0,
);
const redirectServer = servers.find(
  (s) => all(s, 'server_name').some((d) => d.args.includes(DOMAIN)) && all(s, 'ssl_certificate').length === 0,
);

function location(server: Directive[], ...args: string[]): Directive[] {
  return body(one(server, 'location', ...args));
}

function mapEntries(variable: string): Map<string, string> {
  const map = all(httpBlock, 'map').find((d) => d.args[1] === variable);
  if (!map) throw new Error(`no map for ${variable}`);
  return new Map(body(map).map((d) => [d.name, d.args.join(' ')]));
}

// ---------------------------------------------------------------------------------------------

describe('nginx.conf text', () => {
  it('has a TLS server and a port-80 server for the portal domain', () => {
    expect(mainServer).toBeDefined();
    expect(redirectServer).toBeDefined();
    expect(all(tree, 'events')).toHaveLength(1);
  });

  it('keeps connections to a pool of app instances alive', () => {
    const upstream = body(one(httpBlock, 'upstream', 'govportal_app'));
    expect(all(upstream, 'server').length).toBeGreaterThanOrEqual(2);
    expect(Number(one(upstream, 'keepalive').args[0])).toBeGreaterThan(0);
    // Below Node's default server.keepAliveTimeout (5 s), so nginx never reuses a socket the
    // app is about to close.
    expect(seconds(one(upstream, 'keepalive_timeout').args[0]!)).toBeLessThan(5);
    const s = mainServer!;
    expect(one(s, 'proxy_http_version').args).toEqual(['1.1']);
    expect(one(s, 'proxy_set_header', 'Connection').args).toEqual(['Connection', '']);
  });

  it('sends the proxy headers the app trusts with TRUST_PROXY=true', () => {
    const headers = new Map(all(mainServer!, 'proxy_set_header').map((d) => [d.args[0], d.args[1]]));
    expect(headers.get('X-Request-Id')).toBe('$request_id');
    expect(headers.get('X-Forwarded-Proto')).toBe('$scheme');
    expect(headers.get('X-Forwarded-For')).toBe('$remote_addr');
    expect(headers.get('X-Forwarded-Host')).toBe('$host');
    expect(headers.get('X-Real-IP')).toBe('$remote_addr');
  });

  it('declares add_header and proxy_set_header only at server level (no inheritance traps)', () => {
    for (const server of servers) {
      for (const loc of all(server, 'location')) {
        walk(body(loc), (d) => {
          expect(['add_header', 'proxy_set_header'], `location ${loc.args.join(' ')}`).not.toContain(d.name);
        });
      }
    }
  });

  it('caches /assets/ forever and HTML never without revalidation', () => {
    const cache = mapEntries('$govportal_cache_control');
    expect(cache.get('~^/assets/')).toContain('immutable');
    expect(cache.get('~^/(h5|admin)/')).toBe('no-cache');
    expect(cache.get('~\\.html$')).toBe('no-cache');
    expect(one(mainServer!, 'add_header', 'Cache-Control').args[1]).toBe('$govportal_cache_control');
    expect(one(location(mainServer!, '/assets/'), 'try_files').args).toEqual(['$uri', '=404']);
  });

  it('has the single-page-app history fallbacks', () => {
    expect(one(location(mainServer!, '/h5/'), 'try_files').args).toEqual(['$uri', '/h5/index.html']);
    expect(one(location(mainServer!, '/admin/'), 'try_files').args).toEqual(['$uri', '/admin/index.html']);
  });

  it('serves MP_verify_*.txt from its own directory on both ports, and nothing else from it', () => {
    const verifyRoots = new Set<string>();
    for (const server of [mainServer!, redirectServer!]) {
      const loc = all(server, 'location').find((d) => d.args.join(' ').includes('MP_verify_'));
      expect(loc).toBeDefined();
      expect(loc!.args[0]).toBe('~');
      verifyRoots.add(one(body(loc!), 'root').args[0]!);
    }
    expect(verifyRoots.size).toBe(1);
    const [verifyRoot] = [...verifyRoots];
    let uses = 0;
    walk(tree, (d) => {
      if ((d.name === 'root' || d.name === 'alias') && d.args[0] === verifyRoot) uses++;
    });
    expect(uses).toBe(2);
  });

  it('limits request bodies per location', () => {
    const limit = (...args: string[]) => sizeInBytes(one(location(mainServer!, ...args), 'client_max_body_size').args[0]!);
    expect(limit('=', '/wechat')).toBeLessThanOrEqual(64 * 1024);
    expect(limit('/api/')).toBe(1024 ** 2);
    expect(limit('/api/h5/attachments')).toBe(10 * 1024 ** 2);
    expect(sizeInBytes(one(mainServer!, 'client_max_body_size').args[0]!)).toBeLessThanOrEqual(1024 ** 2);
  });

  it('answers /wechat within WeChat\'s 5 seconds', () => {
    const wechat = location(mainServer!, '=', '/wechat');
    expect(seconds(one(wechat, 'proxy_read_timeout').args[0]!)).toBeLessThanOrEqual(5);
    // the whole body in memory, never spilled to a temp file
    expect(sizeInBytes(one(wechat, 'client_body_buffer_size').args[0]!)).toBeGreaterThanOrEqual(
      sizeInBytes(one(wechat, 'client_max_body_size').args[0]!),
    );
  });

  it('never retries non-idempotent requests on another instance', () => {
    const directives: Directive[] = [];
    walk(tree, (d) => {
      if (d.name === 'proxy_next_upstream') directives.push(d);
    });
    expect(directives.length).toBeGreaterThan(0);
    for (const d of directives) expect(d.args).not.toContain('non_idempotent');
  });

  it('proxies the app routes to the upstream pool', () => {
    for (const args of [['/api/'], ['/api/h5/attachments'], ['=', '/wechat'], ['/oauth/'], ['=', '/healthz'], ['=', '/readyz']]) {
      expect(one(location(mainServer!, ...args), 'proxy_pass').args, args.join(' ')).toEqual(['http://govportal_app']);
    }
  });

  it('keeps query strings out of the access log and logs request id and upstream timing', () => {
    const format = one(httpBlock, 'log_format', 'govportal').args.join('');
    for (const forbidden of ['$request_uri', '$args', '$query_string', '$arg_', '$http_referer']) {
      expect(format).not.toContain(forbidden);
    }
    expect(format).not.toMatch(/\$request(?![_a-z])/);
    expect(format).toContain('$request_id');
    expect(format).toContain('$upstream_response_time');
    expect(format).toContain('$uri');
    for (const log of all(httpBlock, 'access_log')) expect(log.args[1]).toBe('govportal');
  });

  it('sends security headers, HSTS and a CSP that allows the WeChat JS-SDK on /h5', () => {
    const headers = new Map(all(mainServer!, 'add_header').map((d) => [d.args[0], d.args[1]]));
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(headers.get('Strict-Transport-Security')).toMatch(/max-age=\d{7,}/);
    expect(headers.get('Referrer-Policy')).toBeTruthy();
    const csp = mapEntries('$govportal_csp');
    expect(csp.get('~^/h5/')).toContain('https://res.wx.qq.com');
    expect(csp.get('~^/h5/')).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp.get('default')).toContain("frame-ancestors 'none'");
  });

  it('uses TLS 1.2+ only', () => {
    expect(one(mainServer!, 'ssl_protocols').args).toEqual(['TLSv1.2', 'TLSv1.3']);
  });
});

// ---------------------------------------------------------------------------------------------
// nginx itself

function findNginx(): string | null {
  const candidates = [process.env.NGINX_BIN, '/usr/sbin/nginx'];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'nginx'));
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? null;
}

/** Runs a command to completion; nginx prints -v, -V and -t results on stderr. */
function run(bin: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function requireNginx(): string {
  const bin = findNginx();
  if (!bin) {
    throw new Error(
      'nginx is not installed, so nginx.conf cannot be validated. Install it ' +
        '(Debian/Ubuntu: `apt-get install nginx`; CI installs it) or set NGINX_BIN to its path. ' +
        'This test fails instead of skipping on purpose.',
    );
  }
  const m = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(run(bin, ['-v']).output);
  const version = m ? Number(m[1]) * 1e6 + Number(m[2]) * 1e3 + Number(m[3]) : 0;
  if (version < 1_019_005) {
    throw new Error(`nginx.conf needs nginx >= 1.19.5 (ssl_reject_handshake); ${bin} is ${m?.[0] ?? 'of unknown version'}`);
  }
  return bin;
}

function makeCertificate(dir: string): void {
  mkdirSync(path.join(dir, 'tls'), { recursive: true });
  const r = spawnSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'tls/portal.key'), '-out', path.join(dir, 'tls/portal.crt'),
      '-days', '2', '-subj', `/CN=${DOMAIN}`, '-addext', `subjectAltName=DNS:${DOMAIN}`,
    ],
    { encoding: 'utf8' },
  );
  if (r.error || r.status !== 0) {
    throw new Error(`openssl could not make a test certificate (is the openssl CLI installed?): ${r.error?.message ?? r.stderr}`);
  }
}

interface LiveOptions {
  httpPort: number;
  httpsPort: number;
  /** one port per `server 127.0.0.1:300N` line of the upstream, in order (cycled) */
  upstreams: number[];
}

/**
 * nginx.conf with its `# SITE:` values pointed into `dir`. Every rewrite must change something,
 * so a renamed placeholder fails here instead of testing a half-rewritten file.
 */
function siteConfig(bin: string, dir: string, live?: LiveOptions): string {
  let text = CONF;
  const rewrite = (pattern: RegExp, to: string): void => {
    const next = text.replace(pattern, to);
    if (next === text) throw new Error(`nginx.conf no longer contains ${pattern}; update ${path.basename(fileURLToPath(import.meta.url))}`);
    text = next;
  };
  rewrite(/\/etc\/nginx\/tls\/portal\.example\.gov\.cn\.crt/g, path.join(dir, 'tls/portal.crt'));
  rewrite(/\/etc\/nginx\/tls\/portal\.example\.gov\.cn\.key/g, path.join(dir, 'tls/portal.key'));
  rewrite(/\/srv\/govportal\/web\/dist/g, path.join(dir, 'dist'));
  rewrite(/\/srv\/govportal\/verify/g, path.join(dir, 'verify'));
  rewrite(/\/var\/log\/nginx\//g, `${path.join(dir, 'logs')}/`);
  rewrite(/\/run\/nginx\.pid/g, path.join(dir, 'nginx.pid'));
  // As root, workers run as root so they can read the private temp dir; otherwise nginx ignores
  // `user` anyway.
  rewrite(/^user .*$/m, process.getuid?.() === 0 ? 'user root root;' : '');
  // Temp paths compiled into distro builds (/var/lib/nginx/...) may not exist or be writable.
  const built = run(bin, ['-V']).output;
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .filter((kind) => kind === 'client_body' || !built.includes(`--without-http_${kind}_module`))
    .map((kind) => `    ${kind}_temp_path ${path.join(dir, 'temp', kind)};`);
  rewrite(/^http \{$/m, `http {\n${temps.join('\n')}`);
  if (live) {
    rewrite(/^worker_processes .*$/m, 'worker_processes 1;');
    rewrite(/^\s*listen \[::\]:\d+.*$/gm, ''); // the test host may have no IPv6
    rewrite(/listen 80\b/g, `listen 127.0.0.1:${live.httpPort}`);
    rewrite(/listen 443\b/g, `listen 127.0.0.1:${live.httpsPort}`);
    let i = 0;
    rewrite(/server 127\.0\.0\.1:300\d\b/g, 'UPSTREAM');
    text = text.replace(/UPSTREAM/g, () => `server 127.0.0.1:${live.upstreams[i++ % live.upstreams.length]}`);
  }
  return text;
}

function makeSite(bin: string, live?: LiveOptions): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'govportal-nginx-'));
  for (const sub of ['logs', 'temp', 'dist/assets', 'dist/h5', 'dist/admin', 'dist/sandbox', 'verify']) {
    mkdirSync(path.join(dir, sub), { recursive: true });
  }
  makeCertificate(dir);
  writeFileSync(path.join(dir, 'nginx.conf'), siteConfig(bin, dir, live));
  return dir;
}

const ASSET_JS = 'export const answer = 42;\n'.repeat(200); // > gzip_min_length

function fillWebDist(dir: string): void {
  writeFileSync(path.join(dir, 'dist/assets/index-3f2a1b9c.js'), ASSET_JS);
  for (const app of ['h5', 'admin', 'sandbox']) {
    writeFileSync(path.join(dir, `dist/${app}/index.html`), `<!doctype html><title>${app} app</title>`);
  }
  writeFileSync(path.join(dir, 'dist/robots.txt'), 'User-agent: *\nDisallow: /\n');
  writeFileSync(path.join(dir, 'verify/MP_verify_abc123.txt'), 'abc123');
  writeFileSync(path.join(dir, 'verify/notes.txt'), 'not for the web');
}

// ---------------------------------------------------------------------------------------------
// Upstreams standing in for app instances

interface Hit {
  upstream: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyLength: number;
  body: string;
}

interface Upstream {
  server: http.Server;
  port: number;
  hits: Hit[];
}

/**
 * An "instance" that echoes what it received as JSON and, like the app, echoes X-Request-Id.
 * `flaky` ones answer /api/flaky with 503; every one drops the connection on /api/crash.
 */
function startUpstream(name: string, flaky: boolean): Promise<Upstream> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const hit: Hit = {
        upstream: name,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bodyLength: raw.length,
        body: raw.length <= 4096 ? raw.toString('utf8') : '',
      };
      hits.push(hit);
      if (hit.url.startsWith('/api/crash')) {
        req.socket.destroy();
        return;
      }
      const requestId = req.headers['x-request-id'];
      if (typeof requestId === 'string') res.setHeader('X-Request-Id', requestId);
      res.setHeader('X-Content-Type-Options', 'nosniff'); // nginx must not send it twice
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.statusCode = flaky && hit.url.startsWith('/api/flaky') ? 503 : 200;
      res.end(JSON.stringify(hit));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as net.AddressInfo).port, hits });
    });
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

interface RequestOptions {
  port: number;
  path: string;
  tls?: boolean;
  method?: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

function request(o: RequestOptions): Promise<Reply> {
  const host = o.host ?? DOMAIN;
  const options: https.RequestOptions = {
    host: '127.0.0.1',
    port: o.port,
    path: o.path,
    method: o.method ?? 'GET',
    headers: { Host: host, ...o.headers },
    agent: false,
  };
  const send = o.tls === false ? http.request : https.request;
  if (o.tls !== false) Object.assign(options, { servername: host, rejectUnauthorized: false });
  return new Promise((resolve, reject) => {
    const req = send(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

function headerCount(reply: Reply, name: string): number {
  return reply.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name).length;
}

// ---------------------------------------------------------------------------------------------

describe('nginx -t', () => {
  let bin = '';
  let dir = '';

  beforeAll(() => {
    bin = requireNginx();
    dir = makeSite(bin);
  }, 30_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('accepts nginx.conf (paths and certificate pointed at a temp dir, nothing else changed)', () => {
    const conf = path.join(dir, 'nginx.conf');
    const result = run(bin, ['-t', '-c', conf, '-p', `${dir}/`, '-e', path.join(dir, 'logs/error.log')]);
    expect(result.output).toContain('syntax is ok');
    expect(result.output).toContain('test is successful');
    expect(result.status, result.output).toBe(0);
  });
});

describe('nginx running nginx.conf', () => {
  let dir = '';
  let child: ChildProcess | undefined;
  let output = '';
  let good: Upstream;
  let flaky: Upstream;
  let httpPort = 0;
  let httpsPort = 0;
  const hits = (): Hit[] => [...good.hits, ...flaky.hits];
  const secure = (o: Omit<RequestOptions, 'port'>) => request({ port: httpsPort, ...o });

  beforeAll(async () => {
    const bin = requireNginx();
    good = await startUpstream('good', false);
    flaky = await startUpstream('flaky', true);
    httpPort = await freePort();
    httpsPort = await freePort();
    // Four upstream lines: good, flaky, good, good.
    dir = makeSite(bin, { httpPort, httpsPort, upstreams: [good.port, flaky.port, good.port, good.port] });
    fillWebDist(dir);
    child = spawn(
      bin,
      ['-c', path.join(dir, 'nginx.conf'), '-p', `${dir}/`, '-e', path.join(dir, 'logs/error.log'), '-g', 'daemon off;'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const errorLog = () => `${output}\n${existsSync(path.join(dir, 'logs/error.log')) ? readFileSync(path.join(dir, 'logs/error.log'), 'utf8') : ''}`;
    await waitForPort(httpsPort, child, errorLog);
    await waitForPort(httpPort, child, errorLog);
  }, 30_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await Promise.all(
      [good, flaky].filter(Boolean).map((u) => new Promise((resolve) => { u.server.closeAllConnections(); u.server.close(resolve); })),
    );
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 15_000);

  it('proxies /api with a fresh request id, forwarded headers and the query intact', async () => {
    const reply = await secure({ path: '/api/ping?x=1', headers: { 'X-Request-Id': 'client-chosen', 'X-Forwarded-For': '6.6.6.6' } });
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.text) as Hit;
    expect(seen.url).toBe('/api/ping?x=1');
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-host']).toBe(DOMAIN);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1'); // the spoofed entry is gone
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers.host).toBe(DOMAIN);
    expect(seen.headers.connection).toBeUndefined(); // keepalive to the upstream
    expect(reply.headers['x-request-id']).toBe(seen.headers['x-request-id']);
    expect(headerCount(reply, 'x-request-id')).toBe(1);
    expect(headerCount(reply, 'x-content-type-options')).toBe(1);
    expect(reply.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(reply.headers['cache-control']).toBeUndefined(); // the app decides for its own responses
  });

  it('serves /assets/ as immutable and gzipped, and a missing asset as a plain 404', async () => {
    const reply = await secure({ path: '/assets/index-3f2a1b9c.js', headers: { 'Accept-Encoding': 'gzip' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(reply.headers['content-type']).toMatch(/^application\/javascript/);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const missing = await secure({ path: '/assets/gone-00000000.js' });
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBeUndefined();
  });

  it('falls back to each single-page app\'s index.html, never cached without revalidation', async () => {
    const h5 = await secure({ path: '/h5/appointments/42?from=menu' });
    expect(h5.status).toBe(200);
    expect(h5.text).toContain('h5 app');
    expect(h5.headers['cache-control']).toBe('no-cache');
    expect(h5.headers['content-security-policy']).toContain('https://res.wx.qq.com');
    expect(h5.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    const admin = await secure({ path: '/admin/applications/7' });
    expect(admin.text).toContain('admin app');
    expect(admin.headers['cache-control']).toBe('no-cache');
    expect(admin.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await secure({ path: '/h5' })).headers.location).toBe('/h5/');
    const root = await secure({ path: '/' });
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/h5/');
    expect((await secure({ path: '/robots.txt' })).status).toBe(200);
    expect((await secure({ path: '/h5/missing-logo.png' })).status).toBe(404);
    expect((await secure({ path: '/h5/index.html' })).text).toContain('h5 app');
  });

  it('serves MP_verify_*.txt on both ports and nothing else from the verify directory', async () => {
    for (const reply of [
      await secure({ path: '/MP_verify_abc123.txt' }),
      await request({ port: httpPort, tls: false, path: '/MP_verify_abc123.txt' }),
    ]) {
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('abc123');
      expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    }
    expect((await secure({ path: '/notes.txt' })).status).toBe(404);
    expect((await secure({ path: '/MP_verify_missing.txt' })).status).toBe(404);
  });

  it('denies the sandbox simulator without reaching the app', async () => {
    const before = hits().length;
    expect((await secure({ path: '/sandbox/' })).status).toBe(404);
    expect((await secure({ path: '/sandbox/cgi-bin/token?grant_type=client_credential' })).status).toBe(404);
    expect(hits().length).toBe(before);
  });

  it('passes a WeChat push through raw and refuses one over 64 KB before the app sees it', async () => {
    const xml = '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>';
    const ok = await secure({ method: 'POST', path: '/wechat?signature=sig-secret&timestamp=1&nonce=2&openid=o-secret', body: xml, headers: { 'Content-Type': 'text/xml' } });
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.text) as Hit).body).toBe(xml);
    const before = hits().length;
    const big = await secure({ method: 'POST', path: '/wechat', body: Buffer.alloc(70 * 1024, 'a'), headers: { 'Content-Type': 'text/xml' } });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String), requestId: big.headers['x-request-id'] },
    });
    expect(hits().length).toBe(before);
  });

  it('allows 10 MB only for attachments, 1 MB for the rest of /api', async () => {
    const twoMb = Buffer.alloc(2 * 1024 * 1024, 'b');
    const upload = await secure({ method: 'POST', path: '/api/h5/attachments', body: twoMb, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(upload.status).toBe(200);
    expect((JSON.parse(upload.text) as Hit).bodyLength).toBe(twoMb.length);
    const json = await secure({ method: 'POST', path: '/api/h5/applications', body: twoMb, headers: { 'Content-Type': 'application/json' } });
    expect(json.status).toBe(413);
  });

  it('never sends a POST to a second instance, but retries a GET', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await secure({ method: 'POST', path: `/api/flaky?n=${i}`, body: '{}' })).status);
    const posts = hits().filter((h) => h.method === 'POST' && h.url.startsWith('/api/flaky'));
    expect(posts).toHaveLength(8); // each POST reached exactly one instance
    const flakyPosts = posts.filter((h) => h.upstream === 'flaky').length;
    expect(flakyPosts).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 503)).toHaveLength(flakyPosts); // the 503 reached the client

    for (let i = 0; i < 6; i++) expect((await secure({ path: `/api/flaky?get=${i}` })).status).toBe(200);
    expect(flaky.hits.some((h) => h.method === 'GET' && h.url.startsWith('/api/flaky'))).toBe(true);
  });

  it('answers in the app\'s error shape when no instance can', async () => {
    const reply = await secure({ path: '/api/crash' });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.text)).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String), requestId: reply.headers['x-request-id'] },
    });
  });

  it('proxies /oauth, /healthz and /readyz', async () => {
    for (const p of ['/oauth/callback?code=SECRETCODE123&state=s1', '/healthz', '/readyz']) {
      const reply = await secure({ path: p });
      expect(reply.status, p).toBe(200);
      expect((JSON.parse(reply.text) as Hit).url).toBe(p);
    }
  });

  it('redirects HTTP to HTTPS and drops unknown host names', async () => {
    const reply = await request({ port: httpPort, tls: false, path: '/h5/x?y=1' });
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe(`https://${DOMAIN}/h5/x?y=1`);
    await expect(request({ port: httpPort, tls: false, path: '/', host: 'evil.example' })).rejects.toThrow();
    await expect(request({ port: httpsPort, path: '/', host: 'evil.example' })).rejects.toThrow();
  });

  it('logs request id, path and upstream timing, but no query strings', () => {
    const log = readFileSync(path.join(dir, 'logs/govportal.access.log'), 'utf8');
    for (const secret of ['SECRETCODE123', 'sig-secret', 'o-secret', 'from=menu']) expect(log).not.toContain(secret);
    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const oauth = lines.find((l) => l.path === '/oauth/callback');
    expect(oauth).toMatchObject({ method: 'GET', status: 200, uri: '/oauth/callback' });
    expect(oauth?.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(oauth?.upstream_response_time).toMatch(/^\d+\.\d{3}$/);
    const deepLink = lines.find((l) => l.path === '/h5/appointments/42');
    expect(deepLink).toMatchObject({ uri: '/h5/index.html', status: 200 });
  });
});
