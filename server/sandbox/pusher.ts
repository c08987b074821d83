import type { Logger } from '../logger';
import { sealPush, type CodecConfig, type PushAddress } from '../wechat/codec';
import { keepAliveFetch, timeoutSignal } from '../wechat/http-fetch';

/**
 * Delivers pushes to the portal's `/wechat` the way WeChat does (PROTOCOL §2.5): wait at most
 * 5 s for an answer; on a timeout, a network error or a non-2xx status, deliver again, up to 3
 * more times.
 *
 * Decision: every delivery is signed afresh (new timestamp and nonce, and in encrypted modes a
 * new ciphertext). Whether WeChat resends the identical request is not documented; signing
 * afresh means the portal's replay guard cannot swallow a retry, so its MsgId /
 * FromUserName+CreateTime deduplication is what gets exercised. The XML itself (CreateTime,
 * MsgId) is identical on every delivery.
 */
export interface PusherOptions {
  timeoutMs: number;
  retries: number;
  /** pause before re-delivering after a fast failure (non-2xx, refused connection) */
  retryDelayMs: number;
}

export const DEFAULT_PUSH_OPTIONS: PusherOptions = { timeoutMs: 5000, retries: 3, retryDelayMs: 1000 };

export interface Delivery {
  delivered: boolean;
  attempts: number;
  status?: number;
  failure?: 'timeout' | 'network' | 'http';
  /** the answer body of the successful delivery */
  body?: string;
}

export interface Pusher {
  /** `known`: the XML's FromUserName and ToUserName when the caller built it (saves parsing it again to seal it) */
  deliver(xml: string, known?: PushAddress): Promise<Delivery>;
}

export function createPusher(deps: {
  codec: () => CodecConfig;
  selfUrl: () => string;
  now: () => number;
  logger: Logger;
  options: PusherOptions;
}): Pusher {
  const { options } = deps;

  async function once(xml: string, known: PushAddress | undefined): Promise<Omit<Delivery, 'attempts'>> {
    const { query, body } = sealPush({ xml, cfg: deps.codec(), nowMs: deps.now(), known });
    const url = `${deps.selfUrl()}/wechat?${new URLSearchParams(query).toString()}`;
    // The body read counts against the same 5 s: WeChat waits for the whole answer (keepAliveFetch resolves after it).
    const timeout = timeoutSignal(options.timeoutMs);
    try {
      const res = await keepAliveFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', 'User-Agent': 'Mozilla/4.0' },
        body,
        signal: timeout.signal,
      });
      const text = await res.text();
      if (res.status < 200 || res.status >= 300) return { delivered: false, status: res.status, failure: 'http' };
      return { delivered: true, status: res.status, body: text };
    } catch (err) {
      const name = (err as Error).name;
      return { delivered: false, failure: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    } finally {
      timeout.done();
    }
  }

  return {
    async deliver(xml, known) {
      let last: Omit<Delivery, 'attempts'> = { delivered: false };
      for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
        last = await once(xml, known);
        if (last.delivered) return { ...last, attempts: attempt };
        // Status and failure kind only: the URL carries signatures and the openid.
        deps.logger.debug({ attempt, status: last.status, failure: last.failure }, 'sandbox push not accepted');
        if (attempt <= options.retries && last.failure !== 'timeout' && options.retryDelayMs > 0) {
          await new Promise((r) => setTimeout(r, options.retryDelayMs).unref());
        }
      }
      deps.logger.info({ attempts: options.retries + 1, status: last.status, failure: last.failure }, 'sandbox push gave up');
      return { ...last, attempts: options.retries + 1 };
    },
  };
}
