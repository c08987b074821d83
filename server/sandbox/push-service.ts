import type { XmlObject } from '../wechat/xml';
import { buildXml } from '../wechat/xml';
import { seconds } from './clock';
import type { SandboxCore } from './core';
import type { Pusher } from './pusher';
import { readReply, UNAVAILABLE_NOTICE } from './reply-reader';
import type { PushOutcome } from './types';

/**
 * Push an event or message from a user to the portal and turn the answer into what the user's
 * phone shows. Keeps track of pushes in flight and scheduled receipts so tests can wait for
 * quiet (`idle`) and a reset can cancel what is pending.
 */

/** Pushes after which the person looks at the chat and would see WeChat's failure notice. */
const EXPECTS_ANSWER = new Set(['subscribe', 'SCAN', 'CLICK', 'scancode_waitmsg', 'pic_sysphoto', 'pic_photo_or_album', 'pic_weixin', 'location_select']);
/** Events whose answer can never reach a chat (the user left, or nobody is looking). */
const NO_CHAT = new Set(['unsubscribe', 'TEMPLATESENDJOBFINISH', 'MASSSENDJOBFINISH']);

export interface PushService {
  push(openid: string, fields: XmlObject): Promise<PushOutcome>;
  /** Run `task` after `delayMs` unless a reset comes first. */
  later(delayMs: number, task: () => Promise<unknown>): void;
  idle(): Promise<void>;
  cancelPending(): void;
}

/**
 * Scheduled pushes (delivery receipts) in flight at once. The platform does not open thousands
 * of connections to one account's server: unbounded, a burst of template sends made the receipt
 * pushes time out against the busy portal and be given up after their retries (the notify
 * benchmark lost 77 % of receipts that way); queued, they arrive later instead.
 */
export const MAX_SCHEDULED_PUSHES = 16;

export function createPushService(core: SandboxCore, pusher: Pusher): PushService {
  const inflight = new Set<Promise<unknown>>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  let running = 0;
  let generation = 0; // a reset drops scheduled pushes still waiting for a turn
  const waiting: (() => void)[] = [];
  async function limited(task: () => Promise<unknown>): Promise<unknown> {
    const gen = generation;
    if (running >= MAX_SCHEDULED_PUSHES) await new Promise<void>((r) => waiting.push(r));
    if (gen !== generation) {
      waiting.shift()?.();
      return undefined;
    }
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  }

  function track<T>(p: Promise<T>): Promise<T> {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => undefined);
    return p;
  }

  async function run(openid: string, fields: XmlObject): Promise<PushOutcome> {
    const xml = buildXml({ ToUserName: core.originalId, FromUserName: openid, CreateTime: seconds(core.now()), ...fields });
    const isEvent = fields.MsgType === 'event';
    const event = typeof fields.Event === 'string' ? fields.Event : '';
    const expectsAnswer = !isEvent || EXPECTS_ANSWER.has(event);
    const notice = () => core.chat.append(openid, { from: 'system', via: 'notice', msgType: 'notice', text: UNAVAILABLE_NOTICE });

    const d = await pusher.deliver(xml, { fromUserName: openid, toUserName: core.originalId });
    const base = { delivered: d.delivered, attempts: d.attempts, ...(d.status ? { status: d.status } : {}), ...(d.failure ? { failure: d.failure } : {}) };
    if (!d.delivered) return { ...base, reply: 'unanswered', entries: expectsAnswer ? [notice()] : [] };

    const read = readReply(d.body ?? '', core.codec, { openid, originalId: core.originalId });
    if (read.kind === 'none') return { ...base, reply: 'none', entries: [] };
    const user = core.users.get(openid);
    if (NO_CHAT.has(event) || !user) return { ...base, reply: 'dropped', entries: [] };
    if (read.kind === 'invalid') return { ...base, reply: 'invalid', invalidReason: read.reason, entries: expectsAnswer ? [notice()] : [] };
    return { ...base, reply: 'passive', entries: [core.chat.append(openid, read.entry)] };
  }

  return {
    push: (openid, fields) => track(run(openid, fields)),
    later(delayMs, task) {
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          void track(limited(task)).catch((err: unknown) => core.logger.error({ err }, 'sandbox scheduled push failed')).finally(resolve);
        }, delayMs);
        // A pending receipt never keeps a process alive; shutting down simply drops it.
        timer.unref();
        timers.set(timer, resolve);
      });
      void track(done);
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    cancelPending() {
      generation++;
      for (const [timer, resolve] of timers) {
        clearTimeout(timer);
        resolve();
      }
      timers.clear();
    },
  };
}
