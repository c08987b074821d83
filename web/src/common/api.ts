/**
 * Typed JSON client shared by the three apps. The server answers `{ data }` on success and
 * `{ error: { code, message, requestId } }` on failure (DESIGN §4); failures become ApiError.
 */

export interface ApiErrorBody {
  code: string;
  message: string;
  requestId?: string;
  details?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: unknown;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.requestId = body.requestId;
    this.details = body.details;
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Gives up after this long with code TIMEOUT; default 15 s. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The whole success envelope, for lists that also carry `page`. */
export interface Envelope<T, P = unknown> {
  data: T;
  page?: P;
}

export async function apiRequest<T, P = unknown>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<Envelope<T, P>> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs ?? 15_000);

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch {
    if (options.signal?.aborted) throw new ApiError(0, { code: 'ABORTED', message: '请求已取消' });
    if (timedOut) throw new ApiError(0, { code: 'TIMEOUT', message: '请求超时，请稍后重试' });
    throw new ApiError(0, { code: 'NETWORK', message: '网络连接失败，请检查网络后重试' });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }

  const json = await readJson(res);
  if (res.ok) {
    if (res.status === 204) return { data: undefined as T };
    if (isObject(json) && 'data' in json) return json as unknown as Envelope<T, P>;
    throw new ApiError(res.status, {
      code: 'BAD_RESPONSE',
      message: '服务器返回了无法识别的内容',
      requestId: res.headers.get('x-request-id') ?? undefined,
    });
  }
  const err = isObject(json) && isObject(json.error) ? json.error : null;
  if (err && typeof err.code === 'string') {
    throw new ApiError(res.status, {
      code: err.code,
      message: typeof err.message === 'string' ? err.message : `请求失败（${res.status}）`,
      requestId: typeof err.requestId === 'string' ? err.requestId : undefined,
      details: err.details,
    });
  }
  // A proxy error page (nginx 502 etc.) has no envelope.
  throw new ApiError(res.status, {
    code: `HTTP_${res.status}`,
    message: `请求失败（${res.status}）`,
    requestId: res.headers.get('x-request-id') ?? undefined,
  });
}

async function readJson(res: Response): Promise<unknown> {
  try {
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const apiGet = async <T>(path: string, options?: RequestOptions): Promise<T> =>
  (await apiRequest<T>('GET', path, undefined, options)).data;
export const apiPost = async <T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> =>
  (await apiRequest<T>('POST', path, body ?? {}, options)).data;
export const apiPut = async <T>(path: string, body: unknown, options?: RequestOptions): Promise<T> =>
  (await apiRequest<T>('PUT', path, body, options)).data;
export const apiPatch = async <T>(path: string, body: unknown, options?: RequestOptions): Promise<T> =>
  (await apiRequest<T>('PATCH', path, body, options)).data;
export const apiDelete = async <T = void>(path: string, options?: RequestOptions): Promise<T> =>
  (await apiRequest<T>('DELETE', path, undefined, options)).data;

/** A list endpoint's `{ data, page }`. */
export const apiGetPage = async <T, P = unknown>(path: string, options?: RequestOptions) => {
  const env = await apiRequest<T[], P>('GET', path, undefined, options);
  return { items: env.data, page: env.page };
};

/** Builds `path?a=1&b=2`, leaving out undefined, null and empty values. */
export function withQuery(path: string, query: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

/** A message fit to show a person, with the request id support staff need. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.requestId ? `${err.message}（编号 ${err.requestId}）` : err.message;
  return '出现了意外错误，请稍后重试';
}
