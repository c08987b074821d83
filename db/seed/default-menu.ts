import { and, eq } from 'drizzle-orm';
import type { MenuModel } from '../../server/menu/model';
import { validateMenu } from '../../server/menu/validation';
import { menuVersions, type Transaction } from '../schema';
import type { SeedStep } from './index';

/**
 * The account's first menu, the way a traffic bureau's account is usually laid out: lookups
 * (查询), transactions (办事) and contact (互动). Stored as the published default version; the
 * app pushes it to the platform at start (menuService.ensurePublishedOnPlatform()). VIEW items
 * point at portal pages by path, so the same row works under any PUBLIC_BASE_URL: publishing
 * sends them through OAuth with `menu=<key>&mv=<version>`.
 *
 * CLICK keys (auto-reply rules match them): `guide` (办事指南), `contact` (联系我们).
 */
export const DEFAULT_MENU: MenuModel = {
  button: [
    {
      name: '查询服务',
      sub_button: [
        { type: 'view', name: '违法查询', key: 'violations', url: '/h5/violations' },
        { type: 'view', name: '驾驶证记分', key: 'points', url: '/h5/points' },
        { type: 'view', name: '我的车辆', key: 'vehicles', url: '/h5/vehicles' },
      ],
    },
    {
      name: '办事服务',
      sub_button: [
        { type: 'view', name: '预约办理', key: 'appointments', url: '/h5/appointments' },
        { type: 'view', name: '在线申请', key: 'application_new', url: '/h5/applications/new' },
        { type: 'view', name: '我的办件', key: 'applications', url: '/h5/applications' },
      ],
    },
    {
      name: '互动服务',
      sub_button: [
        { type: 'click', name: '办事指南', key: 'guide' },
        { type: 'click', name: '联系我们', key: 'contact' },
        { type: 'view', name: '满意度评价', key: 'ratings', url: '/h5/ratings' },
      ],
    },
  ],
};

export const DEFAULT_MENU_CLICK_KEYS = { guide: 'guide', contact: 'contact' } as const;

export async function seedDefaultMenu(tx: Transaction): Promise<void> {
  const menu = validateMenu(DEFAULT_MENU);
  // An account that already has a published menu keeps it.
  const [existing] = await tx
    .select({ id: menuVersions.id })
    .from(menuVersions)
    .where(and(eq(menuVersions.kind, 'default'), eq(menuVersions.status, 'published')))
    .limit(1);
  if (existing) return;
  const at = new Date();
  const [res] = await tx.insert(menuVersions).values({
    version: 'pending',
    kind: 'default',
    status: 'published',
    menu,
    note: '初始菜单（演示数据）',
    createdBy: 'seed',
    createdAt: at,
    publishedBy: 'seed',
    publishedAt: at,
  });
  // Labels are `v` + row id everywhere (service.ts): on a fresh database this is "v1".
  await tx.update(menuVersions).set({ version: `v${res.insertId}` }).where(eq(menuVersions.id, res.insertId));
}

export const defaultMenuSeed: SeedStep = { name: 'default-menu-v1', run: seedDefaultMenu };
