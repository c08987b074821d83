import type { SandboxUser } from './types';
import { utf8Bytes, WxError } from './wire';

/**
 * User tags (PROTOCOL §8.2): ids 0, 1 and 2 are the platform's own (2 = 星标组) and cannot be
 * changed; created tags start at 100; at most 100 tags; a user carries at most 20.
 */
const RESERVED: { id: number; name: string }[] = [{ id: 2, name: '星标组' }];
const RESERVED_IDS = new Set([0, 1, 2]);
const MAX_TAGS = 100;
const MAX_TAGS_PER_USER = 20;
const MAX_NAME_BYTES = 30;

export interface Tag {
  id: number;
  name: string;
}

export interface TagStore {
  list(): Tag[];
  has(id: number): boolean;
  create(name: unknown): Tag;
  update(id: number, name: unknown): void;
  remove(id: number, users: SandboxUser[]): void;
  /** Apply to all or none: an unknown tag or a user at the 20-tag limit fails the whole batch. */
  tag(id: number, users: SandboxUser[]): void;
  untag(id: number, users: SandboxUser[]): void;
  reset(): void;
}

export function createTagStore(): TagStore {
  let tags = new Map<number, Tag>();
  let nextId = 100;

  const seed = () => {
    tags = new Map(RESERVED.map((t) => [t.id, { ...t }]));
    nextId = 100;
  };
  seed();

  function checkName(name: unknown, exceptId?: number): string {
    if (typeof name !== 'string' || name.trim() === '') throw new WxError(45157);
    if (utf8Bytes(name) > MAX_NAME_BYTES) throw new WxError(45158);
    for (const t of tags.values()) if (t.name === name && t.id !== exceptId) throw new WxError(45157, 'hint: [duplicate tag name]');
    return name;
  }

  function existing(id: number): Tag {
    const t = tags.get(id);
    if (!t) throw new WxError(45159);
    return t;
  }

  return {
    list: () => [...tags.values()],
    has: (id) => tags.has(id),
    create(name) {
      const checked = checkName(name);
      if (tags.size - RESERVED.length >= MAX_TAGS) throw new WxError(45056);
      const tag = { id: nextId++, name: checked };
      tags.set(tag.id, tag);
      return { ...tag };
    },
    update(id, name) {
      if (RESERVED_IDS.has(id)) throw new WxError(45058);
      const tag = existing(id);
      tag.name = checkName(name, id);
    },
    remove(id, users) {
      if (RESERVED_IDS.has(id)) throw new WxError(45058);
      existing(id);
      tags.delete(id);
      for (const u of users) u.tagids = u.tagids.filter((t) => t !== id);
    },
    tag(id, users) {
      existing(id);
      for (const u of users) if (!u.tagids.includes(id) && u.tagids.length >= MAX_TAGS_PER_USER) throw new WxError(45059);
      for (const u of users) {
        // Re-applying moves the tag to the end: the most recently applied tag decides menus.
        u.tagids = [...u.tagids.filter((t) => t !== id), id];
      }
    },
    untag(id, users) {
      existing(id);
      for (const u of users) u.tagids = u.tagids.filter((t) => t !== id);
    },
    reset: seed,
  };
}
