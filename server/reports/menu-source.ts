import type { MenuService } from '../menu/service';
import type { MenuPublication } from './rollup';
import type { MenuTreeSource } from './service';

/** The menu area's versions as the reports need them: a version's tree, and the publication history. */
export function menuTreeSource(menus: Pick<MenuService, 'get' | 'currentPublished'>): MenuTreeSource {
  return {
    async tree(version) {
      if (version === null) {
        const cur = await menus.currentPublished();
        return cur ? { version: cur.version, menu: cur.menu } : null;
      }
      // Labels are `v` + the version's row id (server/menu/service.ts).
      const m = /^v(\d{1,12})$/.exec(version);
      if (!m) return null;
      try {
        const v = await menus.get(Number(m[1]));
        return { version: v.version, menu: v.menu };
      } catch {
        return null;
      }
    },
  };
}

export function menuPublications(menus: Pick<MenuService, 'list'>): () => Promise<MenuPublication[]> {
  return async () => {
    const rows = await menus.list({ kind: 'default', limit: 200 });
    return rows.filter((r) => r.publishedAt !== null && r.status !== 'draft').map((r) => ({ version: r.version, publishedAt: r.publishedAt!.getTime() }));
  };
}
