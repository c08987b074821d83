import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from './roles';

/** Usernames: lower-case letters, digits, `.`, `_`, `-`; stored lower-case. */
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9._-]{2,31}$/, '3–32 letters, digits, . _ -, starting with a letter');
export const roleSchema = z.enum(STAFF_ROLES);
export const displayNameSchema = z.string().trim().min(1).max(64);
/** Upper bound keeps a megabyte "password" from costing a megabyte of KDF input. */
export const passwordSchema = z.string().min(1).max(256);

/** Sign-in accepts any name up to the column size, so a malformed one fails like a wrong one. */
export const loginBody = z.object({
  username: z.string().trim().toLowerCase().min(1).max(64),
  password: passwordSchema,
});

export const createStaffBody = z.object({
  username: usernameSchema,
  displayName: displayNameSchema,
  role: roleSchema,
  password: passwordSchema,
});

export const updateStaffBody = z
  .object({ displayName: displayNameSchema.optional(), role: roleSchema.optional() })
  .refine((b) => b.displayName !== undefined || b.role !== undefined, 'give displayName or role');

export const resetPasswordBody = z.object({ password: passwordSchema });
export const changeOwnPasswordBody = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });

export const staffIdParam = z.object({ id: z.coerce.number().int().positive().max(2 ** 53) });

const optionalInt = z.coerce.number().int().positive().max(2 ** 53).optional();
const optionalDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional();
export const auditQuery = z.object({
  actorType: z.enum(['staff', 'citizen', 'system']).optional(),
  actorId: optionalInt,
  action: z.string().trim().min(1).max(64).optional(),
  subjectType: z.string().trim().min(1).max(32).optional(),
  subjectId: z.string().trim().min(1).max(64).optional(),
  from: optionalDate,
  to: optionalDate,
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuery>;

/** What the admin view shows of an account: never the hash. */
export interface StaffView {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  disabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  activeSessions: number;
}

/** `POST /api/admin/login` and `GET /api/admin/me`. */
export interface MeView {
  staff: { id: number; username: string; displayName: string; role: StaffRole };
  /** send as X-CSRF-Token on every non-GET /api/admin request */
  csrfToken: string;
  /** when the session ends at the latest (absolute), and when it ends without activity (idle) */
  expiresAt: string;
  idleExpiresAt: string;
}

export interface AuditView {
  id: number;
  at: string;
  actor: { type: 'staff' | 'citizen' | 'system'; id: number | null; name: string | null; username?: string; displayName?: string };
  action: string;
  subjectType: string;
  subjectId: string;
  detail: Record<string, unknown> | null;
}

export interface Page {
  page: number;
  pageSize: number;
  total: number;
}
