import { z } from 'zod';
import { MENU_KINDS } from './model';

/**
 * Request contracts of the staff menu API (routes.ts). The menu itself is checked by the
 * service (shape: model.ts, rules: validation.ts) so every problem names its button; here it is
 * only "some JSON object".
 */
const kind = z.enum(MENU_KINDS as unknown as ['default', 'conditional']);
const status = z.enum(['draft', 'published', 'superseded']);
const menu = z.record(z.string(), z.unknown());
const matchRule = z.record(z.string(), z.unknown()).nullable();
const note = z.string().max(256).nullable();

export const menuIdParams = z.object({ id: z.coerce.number().int().positive() });

export const menuListQuery = z.object({
  kind: kind.optional(),
  status: status.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const menuCreateBody = z.strictObject({ menu, kind: kind.optional(), matchRule: matchRule.optional(), note: note.optional() });
export const menuUpdateBody = z.strictObject({ menu: menu.optional(), matchRule: matchRule.optional(), note: note.optional() });
export const menuCheckBody = z.strictObject({ menu: z.unknown(), kind: kind.optional(), matchRule: z.unknown().optional() });

/** A version as the admin view receives it (an allowlist of fields). */
export interface MenuVersionDto {
  id: number;
  version: string;
  kind: string;
  status: string;
  menu: unknown;
  matchRule: unknown;
  wechatMenuId: string | null;
  note: string | null;
  createdBy: string;
  createdAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  publishError: string | null;
  problems: { path: string; button: string | null; rule: string; message: string }[];
}
