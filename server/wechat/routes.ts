import Router from '@koa/router';
import type { StoredReply } from '../../db/schema';
import { AppError } from '../http/errors';
import { readRawBody } from '../http/raw-body';
import type { AppState } from '../http/state';
import type { Logger } from '../logger';
import { openPush, sealReply, verifyUrl, type CodecConfig } from './codec';
import { dedupeKey, toPushMessage } from './messages';
import type { PushDedupe } from './push-dedupe';
import type { PushHandler } from './push-handler';
import { buildPassiveReply, SUCCESS } from './replies';

export interface WechatRouteDeps {
  codec: CodecConfig;
  dedupe: PushDedupe;
  handler: PushHandler;
  /** deliver a reply that missed the passive-reply deadline (customer-service message API) */
  sendLater: (openid: string, reply: StoredReply) => Promise<void>;
  maxBytes: number;
  replyDeadlineMs: number;
  logger: Logger;
  /** keeps shutdown waiting for work that outlives the response */
  track: <T>(work: Promise<T>) => Promise<T>;
  now?: () => number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * The message push endpoint. Order matters: size limit → signature, timestamp and decryption
 * (codec) → parse → replay refusal and retry dedupe (one claim) → handling, raced against the reply deadline so WeChat
 * always gets an answer within its 5 s (PROTOCOL §2.5).
 */
export function wechatRoutes(deps: WechatRouteDeps) {
  const router = new Router<AppState>();
  const now = deps.now ?? Date.now;

  router.get('/wechat', (ctx) => {
    const echostr = verifyUrl(ctx.query as Record<string, string>, deps.codec, now());
    ctx.type = 'text/plain';
    ctx.body = echostr; // the raw value, nothing around it
  });

  router.post('/wechat', async (ctx) => {
    const body = await readRawBody(ctx, deps.maxBytes);
    const opened = openPush({ query: ctx.query as Record<string, string>, body, cfg: deps.codec, nowMs: now() });
    const msg = toPushMessage(opened.xml);
    // Both claims in one (batched) database round trip: replay first, then retry (decision 0013).
    const [fresh, firstDelivery] = await deps.dedupe.claimAll([
      { purpose: 'replay', key: opened.replayKey },
      { purpose: 'retry', key: dedupeKey(msg) },
    ]);
    if (!fresh) throw new AppError('WECHAT_PUSH_REPLAYED');

    ctx.type = 'text/plain';
    if (!firstDelivery) {
      // WeChat re-sent a push we already took: acknowledge, do nothing twice.
      ctx.body = SUCCESS;
      return;
    }

    const work = deps.handler.handle(msg);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((res) => {
      timer = setTimeout(() => res(TIMED_OUT), deps.replyDeadlineMs);
    });
    const outcome = await Promise.race([work, deadline]).finally(() => clearTimeout(timer));

    if (outcome === TIMED_OUT) {
      // Too slow for a passive reply: acknowledge now, send the answer when it is ready.
      ctx.body = SUCCESS;
      void deps.track(
        work
          .then((reply) => (reply ? deps.sendLater(msg.fromUserName, reply) : undefined))
          .catch((err: unknown) => deps.logger.error({ err }, 'late push handling failed')),
      );
      return;
    }
    if (!outcome) {
      ctx.body = SUCCESS;
      return;
    }
    const xml = buildPassiveReply({ toUser: msg.fromUserName, fromUser: msg.toUserName, createTime: Math.floor(now() / 1000), reply: outcome });
    ctx.type = 'application/xml';
    ctx.body = sealReply(xml, opened, deps.codec, now());
  });
  return router;
}
