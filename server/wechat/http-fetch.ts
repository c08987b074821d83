import http from 'node:http';
import https from 'node:https';

/**
 * A small `fetch` for our server-to-server calls (the WeChat API client, the sandbox's pushes):
 * node:http over keep-alive agents, the whole answer buffered before it resolves. The global
 * fetch (undici) costs several times the CPU per request (web streams, per-request abort
 * plumbing) and churned connections under bursts; at one call per notification that was a
 * large share of the worker's and the portal's CPU (docs/performance.md "Notifications").
 *
 * Same contract as fetch where callers depend on it: an abort rejects with the signal's
 * reason (a `TimeoutError` DOMException for our timeouts), a network failure with
 * `TypeError('fetch failed', { cause })`.
 */
export interface FetchResult {
  status: number;
  ok: boolean;
  text(): Promise<string>;
}

export interface FetchInit {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** Connections per origin; more requests wait for a free one (bursts reuse sockets instead of opening new ones). */
const MAX_SOCKETS = 64;
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
};

export function keepAliveFetch(input: string, init: FetchInit): Promise<FetchResult> {
  return new Promise<FetchResult>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let url: URL;
    try {
      url = new URL(input);
    } catch (err) {
      reject(new TypeError('fetch failed', { cause: err }));
      return;
    }
    const agent = url.protocol === 'https:' ? agents['https:'] : url.protocol === 'http:' ? agents['http:'] : undefined;
    if (!agent) {
      reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${url.protocol}`) }));
      return;
    }
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    const headers: Record<string, string | number> = { ...init.headers };
    if (body) headers['content-length'] = body.length;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: init.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        finish(() => resolve({ status, ok: status >= 200 && status < 300, text: () => Promise.resolve(text) }));
      });
      res.on('error', (err) => finish(() => reject(new TypeError('fetch failed', { cause: err }))));
    });
    function onAbort() {
      finish(() => reject(signal!.reason));
      request.destroy();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (err) => finish(() => reject(new TypeError('fetch failed', { cause: err }))));
    request.end(body);
  });
}

/**
 * An abort signal that fires after `ms` unless `done()` is called first. `AbortSignal.timeout`
 * keeps its timer (and fires into the finished request) for the full time on every call.
 */
export function timeoutSignal(ms: number): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms);
  return { signal: controller.signal, done: () => clearTimeout(timer) };
}
