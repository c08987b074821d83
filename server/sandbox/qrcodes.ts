import { randomText } from './ids';
import { isRecord, str, WxError } from './wire';

/**
 * Parametric QR codes (PROTOCOL §8.3). The sandbox remembers which scene a ticket stands for,
 * so a simulated scan can push `qrscene_<scene>` + Ticket, or `SCAN` for a follower.
 */
const MAX_EXPIRE_S = 2_592_000;
const DEFAULT_EXPIRE_S = 60;
const ACTIONS = new Set(['QR_SCENE', 'QR_STR_SCENE', 'QR_LIMIT_SCENE', 'QR_LIMIT_STR_SCENE']);

export interface QrCode {
  ticket: string;
  /** scene_id as a decimal string, or scene_str */
  scene: string;
  numeric: boolean;
  /** epoch ms; undefined for permanent codes */
  expiresAt?: number;
}

export interface QrStore {
  create(body: Record<string, unknown>): { ticket: string; expire_seconds?: number; url: string };
  find(ticket: string): QrCode | undefined;
  /** A ticket for a scene, for simulated scans of codes made outside the API (posters). */
  forScene(scene: string): QrCode;
  reset(): void;
}

export function createQrStore(now: () => number): QrStore {
  let codes = new Map<string, QrCode>();
  const newTicket = () => `gQ${randomText(72)}`;

  function add(code: QrCode) {
    codes.set(code.ticket, code);
    if (codes.size > 10_000) codes.delete(codes.keys().next().value as string);
    return code;
  }

  return {
    create(body) {
      const action = str(body.action_name);
      if (!action || !ACTIONS.has(action)) throw new WxError(47001, 'hint: [action_name]');
      const info = isRecord(body.action_info) && isRecord(body.action_info.scene) ? body.action_info.scene : undefined;
      if (!info) throw new WxError(47001, 'hint: [action_info.scene]');
      const permanent = action.startsWith('QR_LIMIT');
      const numeric = action === 'QR_SCENE' || action === 'QR_LIMIT_SCENE';
      let scene: string;
      if (numeric) {
        const id = typeof info.scene_id === 'number' ? info.scene_id : Number(str(info.scene_id));
        const ok = Number.isInteger(id) && (permanent ? id >= 1 && id <= 100_000 : id !== 0 && id >= -(2 ** 31) && id < 2 ** 32);
        if (!ok) throw new WxError(47001, 'hint: [scene_id]');
        scene = String(id);
      } else {
        const s = str(info.scene_str);
        if (!s || s.length > 64) throw new WxError(47001, 'hint: [scene_str must be 1-64 characters]');
        scene = s;
      }
      let expireSeconds: number | undefined;
      if (!permanent) {
        const asked = typeof body.expire_seconds === 'number' ? body.expire_seconds : Number(str(body.expire_seconds) ?? DEFAULT_EXPIRE_S);
        // Out-of-range lifetimes are clamped, not refused.
        expireSeconds = Number.isFinite(asked) && asked > 0 ? Math.min(Math.floor(asked), MAX_EXPIRE_S) : DEFAULT_EXPIRE_S;
      }
      const code = add({ ticket: newTicket(), scene, numeric, ...(expireSeconds ? { expiresAt: now() + expireSeconds * 1000 } : {}) });
      return { ticket: code.ticket, ...(expireSeconds ? { expire_seconds: expireSeconds } : {}), url: `http://weixin.qq.com/q/${randomText(16)}` };
    },
    find(ticket) {
      const code = codes.get(ticket);
      return code && (code.expiresAt === undefined || code.expiresAt > now()) ? code : undefined;
    },
    forScene(scene) {
      return add({ ticket: newTicket(), scene, numeric: /^\d+$/.test(scene) });
    },
    reset() {
      codes = new Map();
    },
  };
}
