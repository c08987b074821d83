import { z } from 'zod';
import { NOTIFICATION_STATUSES, type NotificationStatus } from '../../db/schema/notifications';
import { NOTIFICATION_KINDS } from './kinds';
import type { NotificationKind } from './types';

/** `?status=` (empty) means "any", as a form with an empty select sends it. */
const optional = <T extends z.ZodType>(t: T) => z.preprocess((v) => (v === '' ? undefined : v), t.optional());

export const listQuery = z
  .object({
    status: optional(z.enum(NOTIFICATION_STATUSES)),
    kind: optional(z.enum(NOTIFICATION_KINDS)),
    citizenId: optional(z.coerce.number().int().positive().max(2 ** 53 - 1)),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListQuery = z.infer<typeof listQuery>;

export const idParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53 - 1) });

/** Statuses staff may send again. */
export const RETRYABLE_STATUSES = ['permanent_failure', 'temporary_failure'] as const satisfies readonly NotificationStatus[];

/** One row of the notification log as staff see it: the citizen by id only, never an openid. */
export interface NotificationView {
  id: number;
  kind: NotificationKind;
  /** what the message is about, e.g. `申请 SQ2025…` or `预约 #12` */
  subject: string;
  citizenId: number;
  status: NotificationStatus;
  essential: boolean;
  attempts: number;
  templateId: string | null;
  msgid: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  queuedAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  finishedAt: string | null;
  retryable: boolean;
}

export interface NotificationPage {
  items: NotificationView[];
  page: { page: number; pageSize: number; total: number };
}
