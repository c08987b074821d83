import { createServer, type Server } from 'node:http';
import Koa from 'koa';
import supertest from 'supertest';
import { parseConfig, type Config } from '../../../server/config';
import { readRawBody } from '../../../server/http/raw-body';
import { createSandbox, type SandboxOptions } from '../../../server/sandbox';
import { openPush, sealReply, type CodecConfig, type OpenedPush } from '../../../server/wechat/codec';
import { buildXml, type PushXml } from '../../../server/wechat/xml';
import { captureLogger } from '../../support/app';
import { startTestServer } from '../../support/server';

/** The portal's public address in these tests (the process itself listens elsewhere, as behind nginx). */
export const PUBLIC_BASE = 'https://portal.example.test';

export const codecConfig = (config: Config): CodecConfig => ({
  token: config.wechat.token,
  appId: config.wechat.appId,
  aesKey: config.wechat.aesKey,
  mode: config.wechat.messageMode,
  timestampToleranceS: config.wechat.timestampToleranceS,
});

export interface ReceivedPush {
  query: Record<string, string>;
  body: string;
  opened?: OpenedPush;
  /** why openPush refused it */
  refused?: string;
}

/** What the stand-in /wechat answers: a reply XML (sealed like the portal would), or a raw body/status. */
export type PortalAnswer = { reply?: string; raw?: string; status?: number; delayMs?: number };

/**
 * A stand-in for the portal's `/wechat` (built elsewhere): verifies and opens every push with
 * the real codec, records it, and answers as the test says.
 */
export async function startPortalStandIn(config: Config) {
  const cfg = codecConfig(config);
  const received: ReceivedPush[] = [];
  let answer: (push: PushXml, n: number) => PortalAnswer = () => ({});
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path !== '/wechat' || ctx.method !== 'POST') return;
    const body = await readRawBody(ctx, 1 << 20);
    const query = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, String(v)]));
    const rec: ReceivedPush = { query, body };
    received.push(rec);
    try {
      rec.opened = openPush({ query, body, cfg, nowMs: Date.now() });
    } catch (err) {
      rec.refused = (err as { code?: string }).code ?? String(err);
      ctx.status = 401;
      ctx.body = 'refused';
      return;
    }
    const a = answer(rec.opened.xml, received.length);
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    ctx.status = a.status ?? 200;
    ctx.body = a.raw ?? (a.reply === undefined ? 'success' : sealReply(a.reply, rec.opened, cfg, Date.now()));
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    /** the opened pushes, as XML objects */
    pushes: () => received.flatMap((r) => (r.opened ? [r.opened.xml] : [])),
    answerWith(fn: (push: PushXml, n: number) => PortalAnswer) {
      answer = fn;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A passive text reply to `push`, as the portal would build it. */
export function textReply(push: PushXml, content: string): string {
  return buildXml({ ToUserName: String(push.FromUserName), FromUserName: String(push.ToUserName), CreateTime: Math.floor(Date.now() / 1000), MsgType: 'text', Content: content });
}

/**
 * The real app (sandbox mode, real HTTP on a free port) with its own simulated platform
 * (`deps.sandbox`, the instance production uses), its pushes pointed at a stand-in portal.
 * `now` is the app's clock, and so the platform's.
 */
export async function startSandbox(opts: { env?: Record<string, string>; now?: () => number } = {}) {
  const env = { PUBLIC_BASE_URL: PUBLIC_BASE, ...opts.env };
  const srv = await startTestServer({ env, now: opts.now });
  const { config } = srv.t;
  const sandbox = srv.t.deps.sandbox;
  if (!sandbox) throw new Error('the app has no sandbox: WECHAT_MODE is not sandbox');
  const portal = await startPortalStandIn(config);
  // The sandbox pushes to `${selfUrl}/wechat`: the stand-in instead of the portal's own handler.
  srv.t.deps.selfUrl.set(portal.base);
  const http = supertest(srv.base);
  const platform = sandbox.platform;

  /** A fresh classic access token. */
  const token = async (): Promise<string> => {
    const res = await http.get('/sandbox/cgi-bin/token').query({ grant_type: 'client_credential', appid: config.wechat.appId, secret: config.wechat.appSecret });
    return (res.body as { access_token: string }).access_token;
  };

  return {
    config,
    base: srv.base,
    http,
    platform,
    portal,
    logs: srv.t.logs,
    token,
    async close() {
      await platform.close();
      await srv.close();
      await portal.close();
    },
  };
}

/** createSandbox with the given options, not mounted anywhere (for pusher timing and unit-level tests). */
export function standaloneSandbox(opts: Partial<SandboxOptions> & { env?: Record<string, string> } = {}) {
  const { env, ...rest } = opts;
  const config = parseConfig({ NODE_ENV: 'test', PUBLIC_BASE_URL: PUBLIC_BASE, ...env });
  const logs = captureLogger();
  return { config, logs, ...createSandbox({ config, logger: logs.logger, selfUrl: () => 'http://127.0.0.1:9', ...rest }) };
}

export type SandboxTest = Awaited<ReturnType<typeof startSandbox>>;

/** The first demo citizen (follows, iOS). */
export const DEMO_OPENID = 'oSbxDemo00000000000000000001';
