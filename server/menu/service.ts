import { and, desc, eq, ne, type SQL } from 'drizzle-orm';
import type { PoolConnection } from 'mysql2/promise';
import { menuVersions, type Database, type Executor } from '../../db/schema';
import type { Config } from '../config';
import { AppError } from '../http/errors';
import type { Logger } from '../logger';
import type { AuditActor, AuditLog } from '../staff/audit-types';
import { WechatApiError, WechatUnavailableError } from '../wechat/api/errors';
import type { MenuApi, WechatMenu } from '../wechat/api/menu';
import type { MatchRule, MenuKind, MenuModel, MenuStatus } from './model';
import { menuItems, sameButtons, toWechatMenu, type MenuItem } from './transform';
import { menuProblems, parseMatchRule, parseMenuShape, throwMenuInvalid, type MenuProblem } from './validation';

/**
 * Menu versions: drafts staff edit, the published menu, and history (`superseded`).
 *
 * Publishing validates the stored model, turns it into WeChat's JSON (portal pages through
 * OAuth, with `menu`/`mv` attribution), calls menu/create (or addconditional), and only then, in
 * one transaction, marks the version published and the one it replaces superseded. A rejected
 * attempt is written to `publish_error` and the version stays a draft. Publishes (and draft
 * edits, and the start-up sync) are serialised across instances by a named database lock, so the
 * order of calls to WeChat is the order recorded here.
 */

export interface MenuVersion {
  id: number;
  /** label carried as `mv`, e.g. "v3" (`v` + row id: unique without coordination) */
  version: string;
  kind: MenuKind;
  status: MenuStatus;
  menu: MenuModel;
  matchRule: MatchRule | null;
  wechatMenuId: string | null;
  note: string | null;
  createdBy: string;
  createdAt: Date;
  publishedBy: string | null;
  publishedAt: Date | null;
  publishError: string | null;
  /** rule violations of the stored menu: a draft may have some, publishing refuses them */
  problems: MenuProblem[];
}

export interface PublishedMenu {
  id: number;
  version: string;
  kind: 'default';
  menu: MenuModel;
  publishedAt: Date | null;
  /** leaves with their attribution keys and the URLs WeChat opens */
  items: MenuItem[];
}

export interface EnsureResult {
  action: 'none' | 'unchanged' | 'pushed';
  version?: string;
  /** conditional menus (re-)added because the platform did not have them */
  conditionalPushed: number;
}

export interface MenuService {
  createDraft(input: { menu: unknown; kind?: MenuKind; matchRule?: unknown; note?: string | null; createdBy: string }): Promise<MenuVersion>;
  updateDraft(id: number, input: { menu?: unknown; matchRule?: unknown; note?: string | null }): Promise<MenuVersion>;
  list(filter?: { kind?: MenuKind; status?: MenuStatus; limit?: number }): Promise<MenuVersion[]>;
  get(id: number): Promise<MenuVersion>;
  /** Every problem of a menu (and match rule) without storing it: an editor's live check. */
  check(input: { menu: unknown; kind?: MenuKind; matchRule?: unknown }): { problems: MenuProblem[] };
  /** The JSON publishing would send (after validation), for an editor's preview. */
  preview(id: number): Promise<WechatMenu & { matchrule?: MatchRule }>;
  /** `audit.actor` given: the publish is audited in the transaction that records it. */
  publish(id: number, publishedBy: string, audit?: PublishAudit): Promise<MenuVersion>;
  /**
   * Publish an earlier version again, as a new version (its own `mv` label, so usage before and
   * after the rollback stays apart). The source must have been published once.
   */
  rollback(sourceId: number, publishedBy: string, audit?: { actor: AuditActor }): Promise<MenuVersion>;
  /** The published default menu (usage attribution, phone emulator); cached briefly. */
  currentPublished(): Promise<PublishedMenu | null>;
  /** Push the database's published menus to the platform where it differs (start-up). */
  ensurePublishedOnPlatform(): Promise<EnsureResult>;
}

export interface PublishAudit {
  actor: AuditActor;
  /** default `menu.publish` */
  action?: string;
  detail?: Record<string, unknown>;
}

export interface MenuServiceDeps {
  db: Database;
  wechat: { menu: MenuApi };
  config: Pick<Config, 'publicBaseUrl'>;
  now?: () => number;
  logger?: Logger;
  /** publishes and rollbacks are audited when the caller names an actor */
  audit?: AuditLog;
  /** how long currentPublished() may answer from memory (default 5 s) */
  cacheMs?: number;
  /** seconds to wait for another instance's publish (default 30) */
  lockTimeoutS?: number;
}

type Row = typeof menuVersions.$inferSelect;

const LOCK_NAME = 'govportal:menu-publish';

const fromJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function describeFailure(err: unknown): string {
  if (err instanceof WechatApiError) return cut(`errcode ${err.errcode}: ${err.errmsg}`, 512);
  if (err instanceof WechatUnavailableError) return cut(`unavailable: ${err.reason}${err.httpStatus ? ` ${err.httpStatus}` : ''}`, 512);
  return 'failed: unexpected error';
}

export function createMenuService(deps: MenuServiceDeps): MenuService {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const logger = deps.logger?.child({ area: 'menu' });
  const cacheMs = deps.cacheMs ?? 5000;
  const lockTimeoutS = deps.lockTimeoutS ?? 30;
  let cache: { at: number; value: PublishedMenu | null } | undefined;

  function toView(row: Row): MenuVersion {
    const raw = fromJson(row.menu);
    const shape = parseMenuShape(raw);
    const rawRule = row.matchRule === null ? null : fromJson(row.matchRule);
    const rule = rawRule === null ? null : parseMatchRule(rawRule);
    const problems = shape.menu ? menuProblems(shape.menu) : shape.problems;
    if (rule && !rule.rule) problems.push(...rule.problems);
    return {
      id: row.id,
      version: row.version,
      kind: row.kind as MenuKind,
      status: row.status as MenuStatus,
      menu: shape.menu ?? (raw as MenuModel),
      matchRule: rule?.rule ?? (rawRule as MatchRule | null),
      wechatMenuId: row.wechatMenuId,
      note: row.note,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
      publishedBy: row.publishedBy,
      publishedAt: row.publishedAt,
      publishError: row.publishError,
      problems,
    };
  }

  async function loadRow(ex: Executor, id: number, forUpdate = false): Promise<Row> {
    const q = ex.select().from(menuVersions).where(eq(menuVersions.id, id)).limit(1);
    const [row] = forUpdate ? await q.for('update') : await q;
    if (!row) throw new AppError('MENU_VERSION_NOT_FOUND');
    return row;
  }

  /** Shape must hold to be stored at all; rule violations are kept and listed (it is a draft). */
  function shapeOrThrow(input: unknown): MenuModel {
    const shape = parseMenuShape(input);
    if (!shape.menu) throwMenuInvalid(shape.problems);
    return shape.menu;
  }

  function ruleOrThrow(kind: MenuKind, input: unknown): MatchRule | null {
    if (kind === 'default') {
      if (input !== undefined && input !== null) {
        throwMenuInvalid([{ path: 'matchRule', button: null, rule: 'matchrule_field', message: '匹配规则：只有个性化菜单才有匹配规则' }]);
      }
      return null;
    }
    const r = parseMatchRule(input);
    if (!r.rule) throwMenuInvalid(r.problems);
    return r.rule;
  }

  /**
   * A MySQL named lock held on its own pooled connection for the duration of `fn`, released
   * after `fn`'s transactions have committed.
   */
  async function withPublishLock<T>(fn: () => Promise<T>): Promise<T> {
    const conn: PoolConnection = await db.$client.getConnection();
    try {
      const [rows] = await conn.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, lockTimeoutS]);
      const got = (rows as Array<{ got: number | null }>)[0]?.got;
      if (Number(got) !== 1) throw new AppError('CONFLICT', 'Another menu change is being published; please try again.');
      try {
        return await fn();
      } finally {
        await conn.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
      }
    } finally {
      conn.release();
    }
  }

  async function latestPublished(ex: Executor, kind: MenuKind): Promise<Row[]> {
    return ex
      .select()
      .from(menuVersions)
      .where(and(eq(menuVersions.kind, kind), eq(menuVersions.status, 'published')))
      .orderBy(desc(menuVersions.publishedAt), desc(menuVersions.id));
  }

  const ctxFor = (version: string) => ({ publicBaseUrl: deps.config.publicBaseUrl, version });

  /** Everything publishing checks before sending, and the JSON it sends. */
  async function prepare(row: Row): Promise<{ model: MenuModel; rule: MatchRule | null; payload: WechatMenu }> {
    const raw = fromJson(row.menu);
    const shape = parseMenuShape(raw);
    if (!shape.menu) throwMenuInvalid(shape.problems);
    const problems = menuProblems(shape.menu);
    let rule: MatchRule | null = null;
    if (row.kind === 'conditional') {
      const r = parseMatchRule(row.matchRule === null ? null : fromJson(row.matchRule));
      if (r.rule) rule = r.rule;
      else problems.push(...r.problems);
      if (!problems.length && (await latestPublished(db, 'default')).length === 0) {
        problems.push({ path: 'kind', button: null, rule: 'default_required', message: '菜单：请先发布默认菜单，再发布个性化菜单' });
      }
    }
    if (problems.length) throwMenuInvalid(problems);
    const payload = toWechatMenu(shape.menu, ctxFor(row.version));
    // The rewrite lengthens URLs: the final JSON must fit the limits too.
    const after = menuProblems(payload as MenuModel, { stage: 'payload' });
    if (after.length) throwMenuInvalid(after);
    return { model: shape.menu, rule, payload };
  }

  const service: MenuService = {
    async createDraft(input) {
      const kind = input.kind ?? 'default';
      const menu = shapeOrThrow(input.menu);
      const matchRule = ruleOrThrow(kind, input.matchRule);
      const id = await db.transaction(async (tx) => {
        const [res] = await tx.insert(menuVersions).values({
          version: 'pending',
          kind,
          status: 'draft',
          menu,
          matchRule: matchRule as Record<string, string> | null,
          note: input.note ?? null,
          createdBy: input.createdBy,
          createdAt: new Date(now()),
        });
        await tx.update(menuVersions).set({ version: `v${res.insertId}` }).where(eq(menuVersions.id, res.insertId));
        return res.insertId;
      });
      return toView(await loadRow(db, id));
    },

    async updateDraft(id, input) {
      return withPublishLock(async () => {
        const row = await loadRow(db, id);
        if (row.status !== 'draft') throw new AppError('MENU_NOT_DRAFT');
        const set: Partial<typeof menuVersions.$inferInsert> = {};
        if (input.menu !== undefined) set.menu = shapeOrThrow(input.menu);
        if (input.matchRule !== undefined) set.matchRule = ruleOrThrow(row.kind as MenuKind, input.matchRule) as Record<string, string> | null;
        if (input.note !== undefined) set.note = input.note;
        if (Object.keys(set).length) {
          const [res] = await db
            .update(menuVersions)
            .set({ ...set, publishError: null })
            .where(and(eq(menuVersions.id, id), eq(menuVersions.status, 'draft')));
          if (res.affectedRows === 0) throw new AppError('MENU_NOT_DRAFT');
        }
        return toView(await loadRow(db, id));
      });
    },

    async list(filter = {}) {
      const conds: SQL[] = [];
      if (filter.kind) conds.push(eq(menuVersions.kind, filter.kind));
      if (filter.status) conds.push(eq(menuVersions.status, filter.status));
      const rows = await db
        .select()
        .from(menuVersions)
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(desc(menuVersions.id))
        .limit(Math.min(Math.max(filter.limit ?? 50, 1), 200));
      return rows.map(toView);
    },

    async get(id) {
      return toView(await loadRow(db, id));
    },

    check(input) {
      const shape = parseMenuShape(input.menu);
      if (!shape.menu) return { problems: shape.problems };
      const problems = menuProblems(shape.menu);
      if ((input.kind ?? 'default') === 'conditional') {
        const r = parseMatchRule(input.matchRule);
        if (!r.rule) problems.push(...r.problems);
      }
      if (!problems.length) {
        // The URL rewrite lengthens view URLs; the real label is only known when stored.
        problems.push(...menuProblems(toWechatMenu(shape.menu, ctxFor('v0')) as MenuModel, { stage: 'payload' }));
      }
      return { problems };
    },

    async preview(id) {
      const row = await loadRow(db, id);
      const { rule, payload } = await prepare(row);
      return rule ? { ...payload, matchrule: rule } : payload;
    },

    async publish(id, publishedBy, audit) {
      const result = await withPublishLock(async () => {
        const row = await loadRow(db, id);
        if (row.status !== 'draft') throw new AppError('MENU_NOT_DRAFT');
        const { model, rule, payload } = await prepare(row);

        let wechatMenuId: string | null = null;
        try {
          if (row.kind === 'conditional' && rule) wechatMenuId = (await deps.wechat.menu.addConditional({ ...payload, matchrule: rule })).menuid;
          else await deps.wechat.menu.create(payload);
        } catch (err) {
          const publishError = describeFailure(err);
          await db
            .update(menuVersions)
            .set({ publishError })
            .where(and(eq(menuVersions.id, id), eq(menuVersions.status, 'draft')));
          logger?.warn({ menuVersion: row.version, publishError }, 'menu publish rejected');
          throw err;
        }

        const replacedConditional: string[] = [];
        const record = db.transaction(async (tx) => {
          const cur = await loadRow(tx, id, true);
          if (cur.status !== 'draft') throw new AppError('MENU_NOT_DRAFT');
          if (row.kind === 'default') {
            await tx
              .update(menuVersions)
              .set({ status: 'superseded' })
              .where(and(eq(menuVersions.kind, 'default'), eq(menuVersions.status, 'published'), ne(menuVersions.id, id)));
          } else {
            // A conditional menu replaces the published one with the same rule.
            const live = await tx
              .select()
              .from(menuVersions)
              .where(and(eq(menuVersions.kind, 'conditional'), eq(menuVersions.status, 'published'), ne(menuVersions.id, id)))
              .for('update');
            for (const other of live) {
              const otherRule = parseMatchRule(other.matchRule === null ? null : fromJson(other.matchRule)).rule;
              if (otherRule && otherRule.tag_id === rule?.tag_id && otherRule.client_platform_type === rule?.client_platform_type) {
                await tx.update(menuVersions).set({ status: 'superseded' }).where(eq(menuVersions.id, other.id));
                if (other.wechatMenuId) replacedConditional.push(other.wechatMenuId);
              }
            }
          }
          await tx
            .update(menuVersions)
            // The record keeps exactly the model that went out.
            .set({ status: 'published', menu: model, publishedAt: new Date(now()), publishedBy, publishError: null, wechatMenuId })
            .where(eq(menuVersions.id, id));
          if (audit && deps.audit) {
            await deps.audit.record(tx, {
              actor: audit.actor,
              action: audit.action ?? 'menu.publish',
              subjectType: 'menu_version',
              subjectId: id,
              detail: { version: row.version, kind: row.kind, ...audit.detail },
            });
          }
        });
        await record.catch((err: unknown) => {
          // The platform already shows it; the next start-up sync will put the recorded one back.
          logger?.error({ err, menuVersion: row.version }, 'menu accepted by the platform but not recorded as published');
          throw err;
        });
        cache = undefined;
        logger?.info({ menuVersion: row.version, kind: row.kind }, 'menu published');

        // The replaced conditional menu would otherwise stay on the platform (newest wins, but it counts).
        for (const menuid of replacedConditional) {
          await deps.wechat.menu.delConditional(menuid).catch((err: unknown) => {
            logger?.warn({ err, menuid }, 'could not delete the replaced conditional menu');
          });
        }
        return id;
      });
      return toView(await loadRow(db, result));
    },

    async rollback(sourceId, publishedBy, audit) {
      const source = await loadRow(db, sourceId);
      if (source.status === 'draft') throw new AppError('MENU_ROLLBACK_INVALID');
      if (source.status === 'published') throw new AppError('MENU_ROLLBACK_INVALID', '该版本就是当前发布的菜单，无需回滚。');
      const draft = await service.createDraft({
        menu: fromJson(source.menu),
        kind: source.kind as MenuKind,
        matchRule: source.matchRule === null ? undefined : fromJson(source.matchRule),
        note: `回滚至 ${source.version}`,
        createdBy: publishedBy,
      });
      // A rejected publish leaves this draft with its publish_error, visible in the history.
      return service.publish(draft.id, publishedBy, audit && { actor: audit.actor, action: 'menu.rollback', detail: { rollbackOf: source.version } });
    },

    async currentPublished() {
      const t = now();
      if (cache && t - cache.at < cacheMs) return cache.value;
      const [row] = await latestPublished(db, 'default');
      let value: PublishedMenu | null = null;
      if (row) {
        const shape = parseMenuShape(fromJson(row.menu));
        if (shape.menu) {
          value = {
            id: row.id,
            version: row.version,
            kind: 'default',
            menu: shape.menu,
            publishedAt: row.publishedAt,
            items: menuItems(shape.menu, ctxFor(row.version)),
          };
        } else logger?.error({ menuVersion: row.version }, 'published menu in the database does not parse');
      }
      cache = { at: t, value };
      return value;
    },

    async ensurePublishedOnPlatform() {
      return withPublishLock(async () => {
        const [current] = await latestPublished(db, 'default');
        if (!current) return { action: 'none', conditionalPushed: 0 };
        const shape = parseMenuShape(fromJson(current.menu));
        if (!shape.menu) {
          logger?.error({ menuVersion: current.version }, 'published menu in the database does not parse; not pushed');
          return { action: 'none', conditionalPushed: 0 };
        }
        const payload = toWechatMenu(shape.menu, ctxFor(current.version));
        let platform = await deps.wechat.menu.get();
        let action: EnsureResult['action'] = 'unchanged';
        if (!platform || !sameButtons(platform.menu?.button, payload.button)) {
          await deps.wechat.menu.create(payload);
          action = 'pushed';
          logger?.info({ menuVersion: current.version }, 'published menu pushed to the platform');
        }

        let conditionalPushed = 0;
        const conditionals = await latestPublished(db, 'conditional');
        if (conditionals.length) {
          if (action === 'pushed') platform = await deps.wechat.menu.get();
          const live = new Map((platform?.conditionalmenu ?? []).map((c) => [String(c.menuid), c]));
          for (const row of conditionals) {
            const model = parseMenuShape(fromJson(row.menu)).menu;
            const rule = parseMatchRule(row.matchRule === null ? null : fromJson(row.matchRule)).rule;
            if (!model || !rule) continue;
            const p = toWechatMenu(model, ctxFor(row.version));
            const there = row.wechatMenuId ? live.get(row.wechatMenuId) : undefined;
            if (there && sameButtons(there.button, p.button)) continue;
            if (there && row.wechatMenuId) await deps.wechat.menu.delConditional(row.wechatMenuId);
            const { menuid } = await deps.wechat.menu.addConditional({ ...p, matchrule: rule });
            await db.update(menuVersions).set({ wechatMenuId: menuid }).where(eq(menuVersions.id, row.id));
            conditionalPushed++;
          }
        }
        return { action, version: current.version, conditionalPushed };
      });
    },
  };
  return service;
}
