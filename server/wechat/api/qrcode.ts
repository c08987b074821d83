import type { ApiCaller } from './types';

/** Temporary codes live at most 30 days. */
export const QR_TEMPORARY_MAX_SECONDS = 2_592_000;
/** Permanent numeric scenes are 1–100000. */
export const QR_PERMANENT_SCENE_ID_MAX = 100_000;
export const QR_SCENE_STR_MAX = 64;

export type QrScene = { sceneId: number } | { sceneStr: string };

export interface QrcodeResult {
  ticket: string;
  /** temporary codes only */
  expire_seconds?: number;
  /** the content to render as a QR image yourself */
  url: string;
}

function sceneBody(scene: QrScene, permanent: boolean) {
  if ('sceneId' in scene) {
    const id = scene.sceneId;
    if (!Number.isInteger(id)) throw new RangeError('scene_id must be an integer');
    if (permanent && (id < 1 || id > QR_PERMANENT_SCENE_ID_MAX)) throw new RangeError(`permanent scene_id must be 1–${QR_PERMANENT_SCENE_ID_MAX}`);
    if (!permanent && (id === 0 || id < -(2 ** 31) || id >= 2 ** 31)) throw new RangeError('temporary scene_id must be a non-zero 32-bit integer');
    return { action_name: permanent ? 'QR_LIMIT_SCENE' : 'QR_SCENE', action_info: { scene: { scene_id: id } } };
  }
  const len = [...scene.sceneStr].length;
  if (len < 1 || len > QR_SCENE_STR_MAX) throw new RangeError(`scene_str must be 1–${QR_SCENE_STR_MAX} characters`);
  return { action_name: permanent ? 'QR_LIMIT_STR_SCENE' : 'QR_STR_SCENE', action_info: { scene: { scene_str: scene.sceneStr } } };
}

export function qrcodeApi(c: ApiCaller) {
  return {
    /** A temporary parametric code (default 30 days, the maximum). */
    createTemporary(scene: QrScene, expireSeconds = QR_TEMPORARY_MAX_SECONDS): Promise<QrcodeResult> {
      if (!Number.isInteger(expireSeconds) || expireSeconds < 1 || expireSeconds > QR_TEMPORARY_MAX_SECONDS) {
        throw new RangeError(`expire_seconds must be 1–${QR_TEMPORARY_MAX_SECONDS}`);
      }
      return c.withToken<QrcodeResult>('POST', '/cgi-bin/qrcode/create', { body: { expire_seconds: expireSeconds, ...sceneBody(scene, false) } });
    },
    /** A permanent code (at most 100,000 per account). */
    createPermanent(scene: QrScene): Promise<QrcodeResult> {
      return c.withToken<QrcodeResult>('POST', '/cgi-bin/qrcode/create', { body: sceneBody(scene, true) });
    },
  };
}
export type QrcodeApi = ReturnType<typeof qrcodeApi>;

/** Image address for a ticket (no token needed). `base` is the mp host (the sandbox has its own). */
export function showQrcodeUrl(ticket: string, base = 'https://mp.weixin.qq.com'): string {
  return `${base.replace(/\/+$/, '')}/cgi-bin/showqrcode?ticket=${encodeURIComponent(ticket)}`;
}
