/**
 * One attachment upload with progress. fetch() cannot report upload progress, so this uses
 * XMLHttpRequest; the answer is read through the same `{ data }` / `{ error }` envelope as the
 * JSON client and failures are the same ApiError codes (NETWORK, TIMEOUT, ABORTED, HTTP_<n>).
 */
import { ApiError } from '../common/api';

export const UPLOAD_PATH = '/api/h5/attachments';
const UPLOAD_TIMEOUT_MS = 120_000;

/** The XMLHttpRequest surface used here (a fake in tests). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  abort(): void;
  timeout: number;
  withCredentials: boolean;
  readonly status: number;
  readonly responseText: string;
  getResponseHeader(name: string): string | null;
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  ontimeout: (() => void) | null;
  onabort: (() => void) | null;
}

export interface UploadFile {
  name: string;
  type: string;
  size: number;
}

export interface UploadOptions {
  /** 0–100 as bytes leave the phone */
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
  xhr?: () => XhrLike;
}

/** Sends the file's bytes as the request body with its MIME type, the name in `?filename=` (docs/api-applications.md). */
const NAME_MAX = 200;

/** The upload URL; a name over the server's 200 characters is cut in the middle so its extension survives. */
export function uploadUrl(name: string): string {
  const chars = [...name];
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0] ?? '';
  const kept = chars.length <= NAME_MAX ? name : chars.slice(0, NAME_MAX - ext.length).join('') + ext;
  return `${UPLOAD_PATH}?filename=${encodeURIComponent(kept)}`;
}

export function uploadAttachment<T>(file: UploadFile & Blob, options: UploadOptions = {}): Promise<T> {
  const xhr = (options.xhr ?? (() => new XMLHttpRequest() as unknown as XhrLike))();
  return new Promise<T>((resolve, reject) => {
    const fail = (code: string, message: string) => reject(new ApiError(0, { code, message }));
    const onAbort = () => xhr.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => options.signal?.removeEventListener('abort', onAbort);

    xhr.open('POST', uploadUrl(file.name));
    xhr.withCredentials = true;
    xhr.timeout = UPLOAD_TIMEOUT_MS;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) options.onProgress?.(Math.min(100, Math.round((e.loaded / e.total) * 100)));
    };
    xhr.onerror = () => {
      done();
      fail('NETWORK', '网络连接失败，请检查网络后重新上传');
    };
    xhr.ontimeout = () => {
      done();
      fail('TIMEOUT', '上传超时，请在网络较好时重试');
    };
    xhr.onabort = () => {
      done();
      fail('ABORTED', '已取消上传');
    };
    xhr.onload = () => {
      done();
      const json = parse(xhr.responseText);
      const requestId = xhr.getResponseHeader('x-request-id') ?? undefined;
      if (xhr.status >= 200 && xhr.status < 300 && isObject(json) && 'data' in json) {
        options.onProgress?.(100);
        resolve(json.data as T);
        return;
      }
      const err = isObject(json) && isObject(json.error) ? json.error : null;
      if (err && typeof err.code === 'string') {
        reject(
          new ApiError(xhr.status, {
            code: err.code,
            message: typeof err.message === 'string' ? err.message : `上传失败（${xhr.status}）`,
            requestId: typeof err.requestId === 'string' ? err.requestId : requestId,
            details: err.details,
          }),
        );
        return;
      }
      reject(new ApiError(xhr.status, { code: xhr.status >= 200 && xhr.status < 300 ? 'BAD_RESPONSE' : `HTTP_${xhr.status}`, message: `上传失败（${xhr.status}）`, requestId }));
    };
    xhr.send(file);
  });
}

function parse(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
