import { z } from 'zod';

/** Where an event was observed. The beacon endpoint always records `h5`; clients cannot choose. */
export const USAGE_SOURCES = ['wechat', 'h5', 'api', 'admin'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

/**
 * Event kinds. Open-ended on the server side (areas may add kinds), but the H5 beacon may only
 * send the kinds a page can honestly observe; follows, menu clicks and messages come from
 * WeChat pushes, never from a browser.
 */
export const USAGE_KINDS = [
  'menu_click',
  'menu_view',
  'page_view',
  'task_start',
  'task_complete',
  'task_fail',
  'lookup',
  'no_result',
  'search',
  'validation_error',
  'error',
  'follow',
  'unfollow',
  'scan',
  'message',
  'oauth',
  'notification',
] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

export const BEACON_KINDS = [
  'page_view',
  'task_start',
  'task_complete',
  'task_fail',
  'lookup',
  'no_result',
  'search',
  'validation_error',
  'error',
] as const satisfies readonly UsageKind[];
export type BeaconKind = (typeof BEACON_KINDS)[number];

export const BEACON_MAX_EVENTS = 50;
export const BEACON_MAX_BYTES = 64 * 1024;
const PROPS_MAX_BYTES = 1024;

const token = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\w.:/\-]+$/, 'letters, digits and . _ : / - only');

const props = z
  .record(z.string().max(40), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]))
  .refine((p) => Object.keys(p).length <= 20, 'at most 20 properties')
  .refine((p) => JSON.stringify(p).length <= PROPS_MAX_BYTES, `properties exceed ${PROPS_MAX_BYTES} bytes`);

/** One event as the H5 helper sends it. */
export const beaconEventSchema = z.strictObject({
  kind: z.enum(BEACON_KINDS),
  /** page name, task name or lookup subject, e.g. `violations.lookup` */
  name: token(64),
  /** client clock in ms since epoch; implausible values are replaced by server time (usage/service.ts) */
  at: z.number().int().positive().optional(),
  /** random id the helper keeps per visit (30 min idle ends a visit) */
  visitId: z.string().regex(/^[A-Za-z0-9_-]{8,36}$/, 'visitId must be 8-36 url-safe characters'),
  /** menu key the page was reached from (`menu` URL parameter) */
  menuKey: token(64).optional(),
  /** published menu version the page was reached from (`mv` URL parameter) */
  menuVersion: token(32).optional(),
  outcome: token(24).optional(),
  durationMs: z.number().int().min(0).max(86_400_000).optional(),
  props: props.optional(),
});
export type BeaconEvent = z.infer<typeof beaconEventSchema>;

export const beaconBatchSchema = z.strictObject({
  events: z.array(beaconEventSchema).min(1).max(BEACON_MAX_EVENTS),
});
export type BeaconBatch = z.infer<typeof beaconBatchSchema>;

export interface BeaconResult {
  accepted: number;
}
