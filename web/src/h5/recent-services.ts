/**
 * 最近使用: the services this citizen opened most recently (up to 4), newest first, kept on
 * the phone in localStorage under a key per signed-in citizen (the server's opaque
 * `storageKey`), so two people sharing a phone each see their own. Guests share one list.
 * Pure apart from the Storage handed in, so it is tested in Node.
 */
import { SERVICE_GROUPS, type ServiceEntry } from './service-catalog';

export const RECENT_MAX = 4;
const PREFIX = 'gp.h5.recent.';
const GUEST = 'guest';

export type Who = { storageKey: string } | 'guest';

const keyFor = (who: Who) => `${PREFIX}${who === 'guest' ? GUEST : `c.${who.storageKey}`}`;
const ALL: ServiceEntry[] = SERVICE_GROUPS.flatMap((g) => g.services);

/** The catalogue entry a route path opens, if it is one of the hall's services. */
export function serviceForPath(path: string): ServiceEntry | undefined {
  const clean = path.replace(/\/+$/, '') || '/';
  return ALL.find((s) => s.path === clean);
}

function readKeys(storage: Storage | null, who: Who): string[] {
  try {
    const raw = storage?.getItem(keyFor(who));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/** The citizen's recent services, newest first; entries no longer in the catalogue are dropped. */
export function recentServices(storage: Storage | null, who: Who): ServiceEntry[] {
  return readKeys(storage, who)
    .map((k) => ALL.find((s) => s.key === k))
    .filter((s): s is ServiceEntry => s !== undefined)
    .slice(0, RECENT_MAX);
}

/** Note that `who` opened the service at `path` (other paths are ignored). */
export function noteOpened(storage: Storage | null, who: Who, path: string): void {
  const service = serviceForPath(path);
  if (!service || !storage) return;
  const keys = [service.key, ...readKeys(storage, who).filter((k) => k !== service.key)].slice(0, RECENT_MAX);
  try {
    storage.setItem(keyFor(who), JSON.stringify(keys));
  } catch {
    /* storage full or disabled: the hall simply shows no recent items */
  }
}

export function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
