import { and, asc, desc, eq } from 'drizzle-orm';
import { autoReplyRules, type Database, type Executor, type StoredReply } from '../../db/schema';
import { AppError } from '../http/errors';
import { parseInput } from '../http/validate';
import type { AuditActor, AuditLog } from '../staff/audit-types';
import { ruleInputSchema, type RuleInput } from './schema';

export type AutoReplyRule = typeof autoReplyRules.$inferSelect;

export interface AutoReplyService {
  list(): Promise<AutoReplyRule[]>;
  get(id: number): Promise<AutoReplyRule>;
  /** `by` given: the change and its audit row commit together. */
  create(input: RuleInput, by?: AuditActor): Promise<AutoReplyRule>;
  update(id: number, input: RuleInput, by?: AuditActor): Promise<AutoReplyRule>;
  setEnabled(id: number, enabled: boolean, by?: AuditActor): Promise<void>;
  remove(id: number, by?: AuditActor): Promise<void>;
  /** The reply for a text message: best keyword rule, else the default rule, else none. */
  forText(content: string): Promise<StoredReply | undefined>;
  forSubscribe(): Promise<StoredReply | undefined>;
  forClick(key: string): Promise<StoredReply | undefined>;
}

/** Rules are read on every push; this many ms of staleness is accepted on other instances. */
const CACHE_MS = 5_000;
/** Citizens' messages are matched on at most this many characters (WeChat text is short). */
const MAX_MATCH_CHARS = 2048;

interface Compiled {
  rule: AutoReplyRule;
  test?: (text: string) => boolean;
}

export function createAutoReplyService(deps: { db: Database; now?: () => number; audit?: AuditLog }): AutoReplyService {
  const now = deps.now ?? Date.now;
  let cache: { at: number; rules: Compiled[] } | null = null;

  async function active(): Promise<Compiled[]> {
    if (cache && now() - cache.at < CACHE_MS) return cache.rules;
    const rows = await deps.db
      .select()
      .from(autoReplyRules)
      .where(eq(autoReplyRules.enabled, true))
      .orderBy(desc(autoReplyRules.priority), asc(autoReplyRules.id));
    const rules = rows.map((rule): Compiled => ({ rule, test: matcher(rule) }));
    cache = { at: now(), rules };
    return rules;
  }

  const find = async (pred: (c: Compiled) => boolean) => (await active()).find(pred)?.rule.reply;
  const get = async (id: number) => {
    const row = (await deps.db.select().from(autoReplyRules).where(eq(autoReplyRules.id, id)).limit(1))[0];
    if (!row) throw new AppError('AUTO_REPLY_RULE_NOT_FOUND');
    return row;
  };
  const changed = () => {
    cache = null;
  };
  /** Run a write, audited in the same transaction when an actor is named. */
  const audited = <T>(by: AuditActor | undefined, action: string, work: (ex: Executor) => Promise<{ value: T; id: number; detail?: Record<string, unknown> }>) =>
    deps.db.transaction(async (tx) => {
      const r = await work(tx);
      if (by && deps.audit) await deps.audit.record(tx, { actor: by, action, subjectType: 'auto_reply_rule', subjectId: r.id, detail: r.detail });
      return r.value;
    });

  return {
    list: () => deps.db.select().from(autoReplyRules).orderBy(asc(autoReplyRules.trigger), desc(autoReplyRules.priority), asc(autoReplyRules.id)),
    get,
    async create(input, by) {
      const r = parseInput(ruleInputSchema, input, 'AUTO_REPLY_RULE_INVALID');
      const id = await audited(by, 'auto_reply.create', async (ex) => {
        const [res] = await ex.insert(autoReplyRules).values({ ...r, matchType: r.matchType ?? null, pattern: r.pattern ?? null, note: r.note ?? null });
        return { value: res.insertId, id: res.insertId, detail: { trigger: r.trigger, enabled: r.enabled } };
      });
      changed();
      return get(id);
    },
    async update(id, input, by) {
      const r = parseInput(ruleInputSchema, input, 'AUTO_REPLY_RULE_INVALID');
      await get(id);
      await audited(by, 'auto_reply.update', async (ex) => {
        await ex
          .update(autoReplyRules)
          .set({ ...r, matchType: r.matchType ?? null, pattern: r.pattern ?? null, note: r.note ?? null, updatedAt: new Date(now()) })
          .where(eq(autoReplyRules.id, id));
        return { value: undefined, id, detail: { trigger: r.trigger, enabled: r.enabled } };
      });
      changed();
      return get(id);
    },
    async setEnabled(id, enabled, by) {
      await get(id);
      await audited(by, enabled ? 'auto_reply.enable' : 'auto_reply.disable', async (ex) => {
        await ex.update(autoReplyRules).set({ enabled, updatedAt: new Date(now()) }).where(eq(autoReplyRules.id, id));
        return { value: undefined, id };
      });
      changed();
    },
    async remove(id, by) {
      await audited(by, 'auto_reply.delete', async (ex) => {
        const [res] = await ex.delete(autoReplyRules).where(and(eq(autoReplyRules.id, id)));
        if (res.affectedRows === 0) throw new AppError('AUTO_REPLY_RULE_NOT_FOUND');
        return { value: undefined, id };
      });
      changed();
    },
    async forText(content) {
      const text = content.trim().slice(0, MAX_MATCH_CHARS);
      return (await find((c) => c.rule.trigger === 'keyword' && c.test!(text))) ?? (await find((c) => c.rule.trigger === 'default'));
    },
    forSubscribe: () => find((c) => c.rule.trigger === 'subscribe'),
    forClick: (key) => find((c) => c.rule.trigger === 'click' && c.rule.pattern === key),
  };
}

function matcher(rule: AutoReplyRule): ((text: string) => boolean) | undefined {
  if (rule.trigger !== 'keyword' || !rule.pattern) return undefined;
  const pattern = rule.pattern;
  switch (rule.matchType) {
    case 'exact': {
      const p = pattern.toLowerCase();
      return (t) => t.toLowerCase() === p;
    }
    case 'contains': {
      const p = pattern.toLowerCase();
      return (t) => t.toLowerCase().includes(p);
    }
    case 'regex': {
      try {
        const re = new RegExp(pattern, 'iu');
        return (t) => re.test(t);
      } catch {
        return () => false; // validated on save; a bad row in the table must not break replies
      }
    }
    default:
      return () => false;
  }
}
