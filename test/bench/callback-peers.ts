/**
 * The two comparison servers of `test/bench/callback.ts`, each run in its own child process:
 *
 *   node --import tsx test/bench/callback-peers.ts bare
 *   node --import tsx test/bench/callback-peers.ts co-wechat <token> <appId> <aesKey> <helpText> <defaultText>
 *
 * - `bare`: Koa reads the request body and answers `success` — no signature, no crypto, no
 *   XML. The ceiling of the HTTP stack on this machine.
 * - `co-wechat`: node-webot's co-wechat 2.x middleware on Koa, configured for safe mode, doing
 *   the portal's keyword work: check msg_signature, decrypt, parse, exact `帮助` → the help
 *   text, anything else → the default text, reply encrypted. No database: co-wechat has no
 *   retry dedupe, no replay refusal and no usage log, so it does less than the portal does.
 *
 * Prints `listening on 127.0.0.1:<port>` once it accepts connections. Used by the benchmark
 * only; never by the server.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';

/** The part of co-wechat 2.x the benchmark uses (lib/wechat.js; the package ships no types). */
type CoWechatMessage = Record<string, unknown>;
type CoWechatFactory = (config: { token: string; appid: string; encodingAESKey: string }) => {
  middleware(handle: (message: CoWechatMessage, ctx: Koa.Context) => Promise<string>): Koa.Middleware;
};

const [kind, ...args] = process.argv.slice(2);
const app = new Koa();
app.silent = true;

if (kind === 'bare') {
  app.use(async (ctx) => {
    // Read the whole body, as every real handler must, then answer the no-reply body.
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) void chunk;
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });
} else if (kind === 'co-wechat') {
  const [token, appid, encodingAESKey, helpText, defaultText] = args;
  if (!token || !appid || !encodingAESKey || !helpText || !defaultText) throw new Error('co-wechat needs: token appId aesKey helpText defaultText');
  // co-wechat is CommonJS; its middleware is a plain `async (ctx, next)` function and reads
  // only ctx.query, ctx.method, ctx.req, ctx.request.{body,length,charset} and sets
  // ctx.status/body/type, all of which Koa 3 keeps unchanged: no adapter is needed.
  const wechat = createRequire(import.meta.url)('co-wechat') as CoWechatFactory;
  const handle = wechat({ token, appid, encodingAESKey }).middleware(async (message) => {
    // Same rule as the seeded portal: exact (trimmed) `帮助` on a text message, else the default.
    const content = typeof message.Content === 'string' ? message.Content.trim() : '';
    return message.MsgType === 'text' && content === '帮助' ? helpText : defaultText;
  });
  app.use(async (ctx, next) => (ctx.path === '/wechat' ? handle(ctx, next) : next()));
} else {
  throw new Error(`unknown peer "${kind ?? ''}" (bare | co-wechat)`);
}

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
});
server.keepAliveTimeout = 65_000; // as the portal does
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections(); // the load generator is done with them
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
