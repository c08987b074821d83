import { z } from 'zod';
import type { ClientPlatform, SandboxUser } from './types';
import { OPENID_SHAPE } from './users';

/** Request contracts of the sandbox control API (`/sandbox/api/*`) and the user presenter. */

const platformName = z.enum(['ios', 'android', 'other']);
export const PLATFORM_CODES: Record<z.infer<typeof platformName>, ClientPlatform> = { ios: 1, android: 2, other: 3 };
const PLATFORM_NAMES = { 1: 'ios', 2: 'android', 3: 'other' } as const;

export const createUserInput = z.strictObject({
  openid: z.string().regex(OPENID_SHAPE, '6-64 letters, digits, - or _').optional(),
  nickname: z.string().trim().min(1).max(32).optional(),
  snapshot: z.boolean().optional(),
  clientPlatform: platformName.optional(),
  /** follow right away (pushes subscribe), optionally via a QR scene */
  follow: z.boolean().default(false),
  scene: z.string().min(1).max(64).optional(),
});

export const patchUserInput = z.strictObject({
  nickname: z.string().trim().min(1).max(32).optional(),
  blocked: z.boolean().optional(),
  clientPlatform: platformName.optional(),
  language: z.enum(['zh_CN', 'zh_TW', 'en']).optional(),
});

export const qrInput = z.strictObject({
  ticket: z.string().min(1).max(256).optional(),
  scene: z.string().min(1).max(64).optional(),
});

export const textInput = z.strictObject({ content: z.string().min(1).max(2000) });

export const locationInput = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  precision: z.number().min(0).max(100_000).optional(),
});

export const menuTapInput = z.strictObject({
  button: z.number().int().min(0).max(2),
  sub: z.number().int().min(0).max(4).optional(),
});

export const openUrlInput = z.strictObject({ url: z.string().min(1).max(2048) });

export const phoneInput = z.strictObject({ userId: z.string().min(1).max(32) });

export const chatQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

const endpointKey = z.string().regex(/^(\*|\/(cgi-bin|sns)\/[A-Za-z0-9_/]+)$/, 'a WeChat API path like /cgi-bin/menu/create, or *');

export const faultsInput = z.strictObject({
  latencyMs: z.number().int().min(0).max(30_000).default(0),
  endpoints: z
    .record(
      endpointKey,
      z.strictObject({
        errcode: z.number().int().min(-1).max(99_999_999),
        errmsg: z.string().max(200).optional(),
        rate: z.number().min(0).max(1).default(1),
        times: z.number().int().min(1).max(1_000_000).optional(),
        latencyMs: z.number().int().min(0).max(30_000).optional(),
      }),
    )
    .default({}),
  templateQuotaExhausted: z.boolean().default(false),
});

/** The control API's view of a user (camelCase like the rest of the portal's API). */
export function presentUser(u: SandboxUser) {
  return {
    id: u.id,
    openid: u.openid,
    nickname: u.nickname,
    headimgurl: u.headimgurl,
    subscribed: u.subscribed,
    subscribeTime: u.subscribeTime ? new Date(u.subscribeTime * 1000).toISOString() : null,
    subscribeScene: u.subscribeScene || null,
    qrScene: u.qrScene || null,
    qrSceneStr: u.qrSceneStr || null,
    tagIds: [...u.tagids],
    language: u.language,
    snapshot: u.snapshot,
    blocked: u.blocked,
    clientPlatform: PLATFORM_NAMES[u.clientPlatform],
    remark: u.remark,
  };
}
