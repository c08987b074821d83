import type { ChatEntry, ChatEntryInput } from './types';

/** What each user's phone shows, newest last; bounded per user. */
const MAX_PER_USER = 500;

export interface ChatLog {
  append(openid: string, entry: ChatEntryInput): ChatEntry;
  /** Entries after `afterId` (all when omitted), oldest first. */
  list(openid: string, afterId?: number): ChatEntry[];
  reset(): void;
}

export function createChatLog(now: () => number): ChatLog {
  let logs = new Map<string, ChatEntry[]>();
  let seq = 0;
  return {
    append(openid, input) {
      const entry: ChatEntry = { id: ++seq, at: now(), ...input };
      const log = logs.get(openid) ?? [];
      log.push(entry);
      if (log.length > MAX_PER_USER) log.splice(0, log.length - MAX_PER_USER);
      logs.set(openid, log);
      return entry;
    },
    list(openid, afterId) {
      const log = logs.get(openid) ?? [];
      return afterId === undefined ? [...log] : log.filter((e) => e.id > afterId);
    },
    reset() {
      logs = new Map();
    },
  };
}
