import { randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import {
  APPLICATION_STATUSES,
  applicationNotes,
  applicationRatings,
  applications,
  applicationTransitions,
  applicationTypes,
  ratingFollowUps,
  type ApplicationRatingRow,
  type ApplicationRow,
  type ApplicationStatus,
  type ApplicationTransitionRow,
  type ApplicationTypeRow,
  type AttachmentRow,
  type Database,
  type Executor,
  type RatingFollowUpRow,
  type Transaction,
} from '../../db/schema';
import { shanghaiIso } from '../appointments/service';
import { toShanghaiDate, type CivilDate } from '../calendar/civil-date';
import type { HolidayCalendar } from '../calendar/working-days';
import { AppError } from '../http/errors';
import type { NotificationOutbox } from '../notifications/types';
import type { AuditLog } from '../staff/audit-types';
import type { StaffPrincipal, StaffRole } from '../staff/roles';
import type { UsageRecorder } from '../usage/recorder';
import type { AttachmentStore, StoredFile } from './attachments';
import { isDuplicateOn, retryingTx } from '../../db/retry';
import { maskAnswer, validateAnswers, type FieldIssue } from './form-schema';
import {
  RATING_LABELS,
  type AdminApplicationDetail,
  type AdminApplicationListItem,
  type AdminApplicationState,
  type AdminFollowUpView,
  type AdminListQuery,
  type ApplicationDetailView,
  type ApplicationSummaryView,
  type ApplicationTypeView,
  type AttachmentView,
  type DashboardView,
  type FollowUpsQuery,
  type NoteView,
  type PageInfo,
  type RatingBody,
  type RatingView,
  type ResubmitBody,
  type StaffTimelineEntry,
  type SubmitBody,
  type TimelineEntry,
} from './schema';
import { canDecide, DECISIONS, FINISHED, isTransition, mayMove, noticeKind, REASON_REQUIRED, STATUS_LABELS, TRANSITIONS } from './state-machine';

export interface CitizenRef {
  id: number;
  openid: string;
}

/** Who an assignment may name: an enabled clerk, supervisor or admin. */
export type StaffLookup = (id: number) => Promise<{ role: StaffRole; disabled: boolean } | undefined>;

export interface ApplicationService {
  /** the upload limit, so the route can stop reading a too-large body early */
  readonly attachmentMaxBytes: number;
  listTypes(): Promise<ApplicationTypeView[]>;
  submit(citizen: CitizenRef, body: SubmitBody): Promise<ApplicationDetailView>;
  listOwn(citizen: CitizenRef): Promise<ApplicationSummaryView[]>;
  getOwn(citizen: CitizenRef, id: number): Promise<ApplicationDetailView>;
  resubmit(citizen: CitizenRef, id: number, body: ResubmitBody): Promise<ApplicationDetailView>;
  withdraw(citizen: CitizenRef, id: number): Promise<ApplicationDetailView>;
  rate(citizen: CitizenRef, id: number, body: RatingBody): Promise<ApplicationDetailView>;
  upload(citizen: CitizenRef, bytes: Buffer, contentType: string, filename?: string): Promise<{ view: AttachmentView; created: boolean }>;
  ownAttachment(citizen: CitizenRef, id: number): Promise<StoredFile>;

  adminList(staff: StaffPrincipal, q: AdminListQuery): Promise<{ items: AdminApplicationListItem[]; page: PageInfo }>;
  /** full answers and attachments: audited as a personal-data read */
  adminGet(staff: StaffPrincipal, id: number): Promise<AdminApplicationDetail>;
  transition(staff: StaffPrincipal, id: number, to: ApplicationStatus, note?: string): Promise<AdminApplicationState>;
  assign(staff: StaffPrincipal, id: number, staffId: number | null): Promise<AdminApplicationState>;
  addNote(staff: StaffPrincipal, id: number, text: string): Promise<NoteView>;
  /** audited as a personal-data read */
  staffAttachment(staff: StaffPrincipal, id: number): Promise<StoredFile>;
  listFollowUps(q: FollowUpsQuery): Promise<{ items: AdminFollowUpView[]; page: PageInfo }>;
  closeFollowUp(staff: StaffPrincipal, id: number, response: string): Promise<AdminFollowUpView>;
  dashboard(): Promise<DashboardView>;
}

export interface ApplicationServiceDeps {
  db: Database;
  calendar: HolidayCalendar;
  audit: AuditLog;
  notifications: Pick<NotificationOutbox, 'enqueue'>;
  attachments: AttachmentStore;
  staffLookup: StaffLookup;
  /** appointments (not cancelled) on a Shanghai day, for the dashboard */
  appointmentsOn: (day: CivilDate) => Promise<number>;
  usage?: UsageRecorder;
  /** working days staff have to answer a bad rating */
  followUpWorkingDays: number;
  now?: () => number;
}

const OPEN_FOR_WITHDRAW: readonly ApplicationStatus[] = (Object.keys(TRANSITIONS) as ApplicationStatus[]).filter((s) => mayMove('citizen', s, 'withdrawn'));
const FINISHED_LIST = [...FINISHED];
/** kinds shown (masked) in list rows to tell applications apart */
const KEY_KINDS = new Set(['id_number', 'phone', 'plate']);

const iso = (d: Date) => shanghaiIso(d);
const isoOrNull = (d: Date | null) => (d ? shanghaiIso(d) : null);
/** 张三 → 张*; the surname is enough to tell rows apart */
const maskName = (s: string) => {
  const c = [...s.trim()];
  return c.length <= 1 ? '*' : `${c[0]}${'*'.repeat(Math.min(c.length - 1, 3))}`;
};

export function createApplicationService(deps: ApplicationServiceDeps): ApplicationService {
  const { db, calendar, audit, notifications, attachments: files } = deps;
  const now = deps.now ?? Date.now;

  // --- helpers ---------------------------------------------------------------------------------

  function track<T>(citizen: CitizenRef, name: string, props: Record<string, string | number> | null, work: () => Promise<T>): Promise<T> {
    const started = now();
    deps.usage?.record({ kind: 'task_start', source: 'api', name, openid: citizen.openid, props });
    return work().then(
      (v) => {
        deps.usage?.record({ kind: 'task_complete', source: 'api', name, openid: citizen.openid, outcome: 'ok', durationMs: now() - started, props });
        return v;
      },
      (err: unknown) => {
        // The usage outcome column holds 24 characters: the area prefix goes (ANSWERS_INVALID).
        const outcome = err instanceof AppError ? err.code.replace(/^APPLICATION_/, '') : 'error';
        deps.usage?.record({ kind: 'task_fail', source: 'api', name, openid: citizen.openid, outcome, durationMs: now() - started, props });
        if (err instanceof AppError && err.code === 'APPLICATION_ANSWERS_INVALID' && Array.isArray(err.details)) {
          // Which fields people get wrong, never what they typed.
          const fields = (err.details as { path: string }[]).map((d) => d.path).join(',').slice(0, 200);
          deps.usage?.record({ kind: 'validation_error', source: 'api', name, openid: citizen.openid, props: { ...props, fields } });
        }
        throw err;
      },
    );
  }

  const isOverdue = (a: Pick<ApplicationRow, 'status' | 'dueBefore'>) => !FINISHED.has(a.status) && now() >= a.dueBefore.getTime();
  const overdueSql = () => and(notInArray(applications.status, FINISHED_LIST), lte(applications.dueBefore, new Date(now())))!;

  function typeView(t: ApplicationTypeRow): ApplicationTypeView {
    return { code: t.code, name: t.name, description: t.description, materials: [...t.materials], timeLimitDays: t.timeLimitDays, fields: t.formSchema };
  }

  async function typeByCode(code: string): Promise<ApplicationTypeRow> {
    const t = (await db.select().from(applicationTypes).where(and(eq(applicationTypes.code, code), eq(applicationTypes.active, true))).limit(1))[0];
    if (!t) throw new AppError('APPLICATION_TYPE_NOT_FOUND');
    return t;
  }

  async function typesById(ids: number[], exec: Executor = db): Promise<Map<number, ApplicationTypeRow>> {
    if (ids.length === 0) return new Map();
    const rows = await exec.select().from(applicationTypes).where(inArray(applicationTypes.id, [...new Set(ids)]));
    return new Map(rows.map((t) => [t.id, t]));
  }

  /** Inside a transaction pass `tx`: a second pool connection per transaction starves the pool under load. */
  async function typeOf(a: ApplicationRow, exec: Executor = db): Promise<ApplicationTypeRow> {
    const t = (await typesById([a.typeId], exec)).get(a.typeId);
    if (!t) throw new Error(`application ${a.id} refers to a missing type`);
    return t;
  }

  /** Validate answers and extra attachments for a type; ownership of every file is the citizen's. */
  async function checkAnswers(citizenId: number, type: ApplicationTypeRow, answers: unknown, extra: number[]) {
    const r = validateAnswers(type.formSchema, answers);
    if (!r.ok) throw new AppError('APPLICATION_ANSWERS_INVALID', undefined, r.issues);
    const attachmentIds = [...new Set(extra)];
    const allIds = [...new Set([...r.fileIds, ...attachmentIds])];
    const checked = { answers: r.answers, attachmentIds, fileIds: r.fileIds, allIds };
    const foreign = await files.notOwned(citizenId, allIds);
    if (foreign.length > 0) throw foreignFiles(type, checked, foreign);
    return checked;
  }

  /** The 400 naming each field with a file that is not (or no longer) the citizen's. */
  function foreignFiles(type: ApplicationTypeRow, checked: { answers: Record<string, unknown>; attachmentIds: number[] }, ids: number[]): AppError {
    const foreign = new Set(ids);
    const issues: FieldIssue[] = [];
    for (const f of type.formSchema) {
      if (f.kind !== 'file') continue;
      const fileIds = (checked.answers[f.key] as number[] | undefined) ?? [];
      if (fileIds.some((i) => foreign.has(i))) issues.push({ path: f.key, message: `${f.label}中有文件不存在或不属于您，请重新上传` });
    }
    if (checked.attachmentIds.some((i) => foreign.has(i))) issues.push({ path: 'attachmentIds', message: '附件中有文件不存在或不属于您，请重新上传' });
    return new AppError('APPLICATION_ANSWERS_INVALID', undefined, issues);
  }

  /** In the saving transaction: the files become case records (the orphan cleanup keeps them), or the save fails if one just went. */
  async function attachFiles(tx: Transaction, citizenId: number, type: ApplicationTypeRow, checked: Awaited<ReturnType<typeof checkAnswers>>, at: Date) {
    const gone = await files.attach(tx, citizenId, checked.allIds, at);
    if (gone.length > 0) throw foreignFiles(type, checked, gone);
  }

  const allFileIds = (a: ApplicationRow, t: ApplicationTypeRow) => [
    ...new Set([...t.formSchema.filter((f) => f.kind === 'file').flatMap((f) => (a.answers[f.key] as number[] | undefined) ?? []), ...a.attachmentIds]),
  ];

  const attachmentView = (r: AttachmentRow): AttachmentView => ({ id: r.id, filename: r.filename, mime: r.mime, size: r.size, createdAt: iso(r.createdAt) });

  async function attachmentsOf(a: ApplicationRow, t: ApplicationTypeRow): Promise<AttachmentView[]> {
    const rows = await files.rows(allFileIds(a, t));
    return rows.sort((x, y) => x.id - y.id).map(attachmentView);
  }

  async function transitionsOf(id: number): Promise<ApplicationTransitionRow[]> {
    return db.select().from(applicationTransitions).where(eq(applicationTransitions.applicationId, id)).orderBy(asc(applicationTransitions.seq));
  }

  const timelineEntry = (r: ApplicationTransitionRow): TimelineEntry => ({
    at: iso(r.at),
    from: r.fromStatus,
    to: r.toStatus,
    label: STATUS_LABELS[r.toStatus],
    note: r.note,
    actor: r.actorType,
  });
  const staffTimelineEntry = (r: ApplicationTransitionRow): StaffTimelineEntry => ({ ...timelineEntry(r), actorId: r.actorId });

  async function ratingsOf(id: number): Promise<{ rating: ApplicationRatingRow; followUp: RatingFollowUpRow | undefined }[]> {
    const ratings = await db.select().from(applicationRatings).where(eq(applicationRatings.applicationId, id)).orderBy(asc(applicationRatings.id));
    if (ratings.length === 0) return [];
    const fus = await db.select().from(ratingFollowUps).where(inArray(ratingFollowUps.ratingId, ratings.map((r) => r.id)));
    return ratings.map((rating) => ({ rating, followUp: fus.find((f) => f.ratingId === rating.id) }));
  }

  const scoreLabel = (score: number) => RATING_LABELS[score as 1 | 2 | 3 | 4 | 5] ?? String(score);

  function ratableStages(a: ApplicationRow, rated: Set<string>) {
    const out: ('accepted' | 'completed')[] = [];
    if (a.acceptedAt && !rated.has('accepted')) out.push('accepted');
    if (a.completedAt && !rated.has('completed')) out.push('completed');
    return out;
  }

  function summary(a: ApplicationRow, t: ApplicationTypeRow, rated: Set<string>): ApplicationSummaryView {
    return {
      id: a.id,
      applicationNo: a.applicationNo,
      type: { code: t.code, name: t.name },
      status: a.status,
      statusLabel: STATUS_LABELS[a.status],
      submittedAt: iso(a.submittedAt),
      updatedAt: iso(a.updatedAt),
      dueOn: a.dueOn,
      needsAction: a.status === 'needs_info',
      canWithdraw: OPEN_FOR_WITHDRAW.includes(a.status),
      ratableStages: ratableStages(a, rated),
    };
  }

  /** The citizen's view: never staff notes, staff ids or assignment. */
  async function citizenDetail(a: ApplicationRow): Promise<ApplicationDetailView> {
    const t = await typeOf(a);
    const [atts, trans, ratings] = await Promise.all([attachmentsOf(a, t), transitionsOf(a.id), ratingsOf(a.id)]);
    const rated = new Set(ratings.map((r) => r.rating.stage));
    return {
      ...summary(a, t, rated),
      answers: a.answers,
      fields: t.formSchema,
      materials: [...t.materials],
      attachments: atts,
      attachmentIds: [...a.attachmentIds],
      reason: a.reason,
      timeline: trans.map(timelineEntry),
      ratings: ratings.map(({ rating, followUp }): RatingView => ({
        stage: rating.stage,
        score: rating.score,
        label: scoreLabel(rating.score),
        comment: rating.comment,
        at: iso(rating.at),
        followUp: followUp ? { status: followUp.status, dueOn: followUp.dueOn, response: followUp.response, closedAt: isoOrNull(followUp.closedAt) } : null,
      })),
      canResubmit: a.status === 'needs_info',
    };
  }

  async function ownRow(citizenId: number, id: number): Promise<ApplicationRow> {
    const a = (await db.select().from(applications).where(and(eq(applications.id, id), eq(applications.citizenId, citizenId))).limit(1))[0];
    if (!a) throw new AppError('APPLICATION_NOT_FOUND');
    return a;
  }

  async function rowById(id: number): Promise<ApplicationRow> {
    const a = (await db.select().from(applications).where(eq(applications.id, id)).limit(1))[0];
    if (!a) throw new AppError('APPLICATION_NOT_FOUND');
    return a;
  }

  async function lock(tx: Transaction, id: number, citizenId?: number): Promise<ApplicationRow> {
    const where = citizenId === undefined ? eq(applications.id, id) : and(eq(applications.id, id), eq(applications.citizenId, citizenId));
    const a = (await tx.select().from(applications).where(where).for('update'))[0];
    if (!a) throw new AppError('APPLICATION_NOT_FOUND');
    return a;
  }

  type Actor = { kind: 'staff'; staff: StaffPrincipal } | { kind: 'citizen'; citizenId: number };

  /**
   * One state change on a row locked by the caller: the row (conditional on the seq it was read
   * with), the timeline row (unique seq), the audit entry and the citizen's notification, all
   * with the caller's transaction — they commit or roll back together.
   */
  async function move(tx: Transaction, a: ApplicationRow, type: ApplicationTypeRow, to: ApplicationStatus, actor: Actor, note: string | null, extra: Partial<typeof applications.$inferInsert> = {}) {
    const at = new Date(now());
    const seq = a.transitionSeq + 1;
    const stamps: Partial<typeof applications.$inferInsert> = {};
    if (to === 'accepted') stamps.acceptedAt = at;
    if (DECISIONS.has(to)) stamps.decidedAt = at;
    if (to === 'completed') stamps.completedAt = at;
    if (to === 'withdrawn') stamps.withdrawnAt = at;
    if (REASON_REQUIRED.has(to)) stamps.reason = note;
    else if (to === 'accepted' || to === 'in_review' || to === 'approved') stamps.reason = null;
    const [res] = await tx
      .update(applications)
      .set({ ...extra, ...stamps, status: to, transitionSeq: seq, updatedAt: at })
      .where(and(eq(applications.id, a.id), eq(applications.transitionSeq, a.transitionSeq), eq(applications.status, a.status)));
    if (res.affectedRows !== 1) throw new AppError('APPLICATION_TRANSITION_NOT_ALLOWED');
    const actorType = actor.kind;
    const actorId = actor.kind === 'staff' ? actor.staff.id : actor.citizenId;
    await tx.insert(applicationTransitions).values({ applicationId: a.id, seq, fromStatus: a.status, toStatus: to, actorType, actorId, note, at });
    await audit.record(tx, {
      actor: actor.kind === 'staff' ? { staffId: actor.staff.id } : { citizenId: actor.citizenId },
      action: 'application.transition',
      subjectType: 'application',
      subjectId: a.id,
      detail: { from: a.status, to, seq, noteLength: note?.length ?? 0 },
    });
    const kind = noticeKind(to);
    if (kind) {
      await notifications.enqueue(tx, {
        kind,
        citizenId: a.citizenId,
        applicationId: a.id,
        applicationNo: a.applicationNo,
        typeName: type.name,
        ...(REASON_REQUIRED.has(to) && note ? { reason: note } : {}),
        dedupeKey: `application:${a.id}:${to}:${seq}`,
      });
    }
  }

  function allowedFor(role: StaffRole, a: ApplicationRow, t: ApplicationTypeRow): ApplicationStatus[] {
    return (Object.keys(TRANSITIONS[a.status]) as ApplicationStatus[]).filter((to) => mayMove(role, a.status, to) && (!DECISIONS.has(to) || canDecide(role, t.handlingRole)));
  }

  async function stateView(staff: StaffPrincipal, id: number): Promise<AdminApplicationState> {
    const a = await rowById(id);
    const t = await typeOf(a);
    return {
      id: a.id,
      applicationNo: a.applicationNo,
      status: a.status,
      statusLabel: STATUS_LABELS[a.status],
      reason: a.reason,
      assigneeStaffId: a.assigneeStaffId,
      dueOn: a.dueOn,
      overdue: isOverdue(a),
      timeline: (await transitionsOf(a.id)).map(staffTimelineEntry),
      allowedTransitions: allowedFor(staff.role, a, t),
    };
  }

  /** What the queue row and the detail both show of an application (no personal data). */
  function adminSummary(a: ApplicationRow, t: ApplicationTypeRow): Omit<AdminApplicationListItem, 'keyFields'> {
    return {
      id: a.id,
      applicationNo: a.applicationNo,
      type: { code: t.code, name: t.name },
      status: a.status,
      statusLabel: STATUS_LABELS[a.status],
      submittedAt: iso(a.submittedAt),
      dueOn: a.dueOn,
      overdue: isOverdue(a),
      assigneeStaffId: a.assigneeStaffId,
    };
  }

  function keyFields(a: ApplicationRow, t: ApplicationTypeRow) {
    const out: { key: string; label: string; value: string }[] = [];
    for (const f of t.formSchema) {
      const v = a.answers[f.key];
      if (v === undefined || v === null) continue;
      if (f.kind === 'text' && f.key === 'name') out.push({ key: f.key, label: f.label, value: maskName(String(v)) });
      else if (KEY_KINDS.has(f.kind)) out.push({ key: f.key, label: f.label, value: maskAnswer(f.kind, v) });
    }
    return out.slice(0, 4);
  }

  function followUpView(f: RatingFollowUpRow, r: ApplicationRatingRow, a: Pick<ApplicationRow, 'applicationNo'>, typeName: string): AdminFollowUpView {
    return {
      id: f.id,
      applicationId: f.applicationId,
      applicationNo: a.applicationNo,
      typeName,
      stage: r.stage,
      score: r.score,
      scoreLabel: scoreLabel(r.score),
      comment: r.comment,
      ratedAt: iso(r.at),
      status: f.status,
      dueOn: f.dueOn,
      overdue: f.status === 'open' && now() >= f.dueBefore.getTime(),
      response: f.response,
      closedAt: isoOrNull(f.closedAt),
      closedByStaffId: f.closedByStaffId,
    };
  }

  const newApplicationNo = () => `SQ${toShanghaiDate(now()).replaceAll('-', '')}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

  // --- the service -----------------------------------------------------------------------------

  return {
    attachmentMaxBytes: files.maxBytes,

    async listTypes() {
      const rows = await db.select().from(applicationTypes).where(eq(applicationTypes.active, true)).orderBy(asc(applicationTypes.sortOrder), asc(applicationTypes.id));
      return rows.map(typeView);
    },

    submit(citizen, body) {
      return track(citizen, 'application.submit', { type: body.typeCode.slice(0, 32) }, async () => {
        const type = await typeByCode(body.typeCode);
        const checked = await checkAnswers(citizen.id, type, body.answers, body.attachmentIds ?? []);
        const id = await retryingTx(
          () =>
            db.transaction(async (tx) => {
              const at = new Date(now());
              // 承诺时限 runs from the submission day (the citizen's clock starts when they hand in).
              const due = calendar.deadline(at, type.timeLimitDays);
              const applicationNo = newApplicationNo();
              const [res] = await tx.insert(applications).values({
                applicationNo,
                citizenId: citizen.id,
                typeId: type.id,
                status: 'submitted',
                answers: checked.answers,
                attachmentIds: checked.attachmentIds,
                transitionSeq: 1,
                submittedAt: at,
                dueOn: due.dueOn,
                dueBefore: due.dueBefore,
                updatedAt: at,
              });
              const appId = res.insertId;
              await attachFiles(tx, citizen.id, type, checked, at);
              await tx.insert(applicationTransitions).values({ applicationId: appId, seq: 1, fromStatus: null, toStatus: 'submitted', actorType: 'citizen', actorId: citizen.id, note: null, at });
              await audit.record(tx, { actor: { citizenId: citizen.id }, action: 'application.submit', subjectType: 'application', subjectId: appId, detail: { type: type.code } });
              return appId;
            }),
          (err) => isDuplicateOn(err, 'applications_no_uq'),
        );
        return citizenDetail(await ownRow(citizen.id, id));
      });
    },

    async listOwn(citizen) {
      const rows = await db.select().from(applications).where(eq(applications.citizenId, citizen.id)).orderBy(desc(applications.submittedAt), desc(applications.id)).limit(200);
      if (rows.length === 0) return [];
      const types = await typesById(rows.map((r) => r.typeId));
      const rated = await db
        .select({ applicationId: applicationRatings.applicationId, stage: applicationRatings.stage })
        .from(applicationRatings)
        .where(inArray(applicationRatings.applicationId, rows.map((r) => r.id)));
      return rows.map((a) => summary(a, types.get(a.typeId)!, new Set(rated.filter((r) => r.applicationId === a.id).map((r) => r.stage))));
    },

    async getOwn(citizen, id) {
      return citizenDetail(await ownRow(citizen.id, id));
    },

    resubmit(citizen, id, body) {
      return track(citizen, 'application.resubmit', null, async () => {
        const current = await ownRow(citizen.id, id);
        if (current.status !== 'needs_info') throw new AppError('APPLICATION_TRANSITION_NOT_ALLOWED');
        const type = await typeOf(current);
        const checked = await checkAnswers(citizen.id, type, body.answers, body.attachmentIds ?? current.attachmentIds);
        await retryingTx(() =>
          db.transaction(async (tx) => {
            const a = await lock(tx, id, citizen.id);
            if (!mayMove('citizen', a.status, 'in_review')) throw new AppError('APPLICATION_TRANSITION_NOT_ALLOWED');
            await attachFiles(tx, citizen.id, type, checked, new Date(now()));
            await move(tx, a, type, 'in_review', { kind: 'citizen', citizenId: citizen.id }, body.note || null, { answers: checked.answers, attachmentIds: checked.attachmentIds });
          }),
        );
        return citizenDetail(await ownRow(citizen.id, id));
      });
    },

    withdraw(citizen, id) {
      return track(citizen, 'application.withdraw', null, async () => {
        await retryingTx(() =>
          db.transaction(async (tx) => {
            const a = await lock(tx, id, citizen.id);
            if (!mayMove('citizen', a.status, 'withdrawn')) throw new AppError('APPLICATION_TRANSITION_NOT_ALLOWED');
            await move(tx, a, await typeOf(a, tx), 'withdrawn', { kind: 'citizen', citizenId: citizen.id }, null);
          }),
        );
        return citizenDetail(await ownRow(citizen.id, id));
      });
    },

    rate(citizen, id, body) {
      return track(citizen, 'application.rate', { stage: body.stage, score: body.score }, async () => {
        const a = await ownRow(citizen.id, id);
        const reached = body.stage === 'accepted' ? a.acceptedAt : a.completedAt;
        if (!reached) throw new AppError('APPLICATION_RATING_NOT_OPEN');
        const type = await typeOf(a);
        await db
          .transaction(async (tx) => {
            const at = new Date(now());
            const [res] = await tx.insert(applicationRatings).values({ applicationId: a.id, citizenId: citizen.id, stage: body.stage, score: body.score, comment: body.comment ?? '', at });
            if (body.score <= 2) {
              const due = calendar.deadline(at, deps.followUpWorkingDays);
              await tx.insert(ratingFollowUps).values({ ratingId: res.insertId, applicationId: a.id, status: 'open', dueOn: due.dueOn, dueBefore: due.dueBefore, createdAt: at });
            }
            await audit.record(tx, { actor: { citizenId: citizen.id }, action: 'application.rate', subjectType: 'application', subjectId: a.id, detail: { stage: body.stage, score: body.score } });
          })
          .catch((err: unknown) => {
            if (isDuplicateOn(err, 'application_ratings_stage_uq')) throw new AppError('APPLICATION_ALREADY_RATED');
            throw err;
          });
        // Satisfaction per service and stage is an evaluator's metric (REFERENCE "Usage evaluation").
        deps.usage?.record({ kind: 'task_complete', source: 'api', name: 'application.rating', openid: citizen.openid, outcome: String(body.score), props: { type: type.code, stage: body.stage, score: body.score } });
        return citizenDetail(await ownRow(citizen.id, id));
      });
    },

    async upload(citizen, bytes, contentType, filename) {
      const { row, created } = await files.save(citizen.id, bytes, contentType, filename);
      return { view: attachmentView(row), created };
    },

    ownAttachment(citizen, id) {
      return files.readOwn(citizen.id, id);
    },

    // --- staff ---------------------------------------------------------------------------------

    async adminList(staff, q) {
      const conds: SQL[] = [];
      if (q.status) conds.push(eq(applications.status, q.status));
      if (q.type) {
        const t = (await db.select({ id: applicationTypes.id }).from(applicationTypes).where(eq(applicationTypes.code, q.type)).limit(1))[0];
        if (!t) return { items: [], page: { page: q.page, pageSize: q.pageSize, total: 0 } };
        conds.push(eq(applications.typeId, t.id));
      }
      if (q.overdue === true) conds.push(overdueSql());
      if (q.overdue === false) conds.push(sql`NOT (${overdueSql()})`);
      if (q.assignee === 'none') conds.push(isNull(applications.assigneeStaffId));
      else if (q.assignee === 'me') conds.push(eq(applications.assigneeStaffId, staff.id));
      else if (typeof q.assignee === 'number') conds.push(eq(applications.assigneeStaffId, q.assignee));
      const where = conds.length ? and(...conds) : undefined;
      const [count] = await db.select({ n: sql<number>`COUNT(*)`.mapWith(Number) }).from(applications).where(where);
      const rows = await db
        .select()
        .from(applications)
        .where(where)
        .orderBy(asc(applications.dueBefore), asc(applications.id))
        .limit(q.pageSize)
        .offset((q.page - 1) * q.pageSize);
      const types = await typesById(rows.map((r) => r.typeId));
      const items = rows.map((a): AdminApplicationListItem => {
        const t = types.get(a.typeId)!;
        return { ...adminSummary(a, t), keyFields: keyFields(a, t) };
      });
      return { items, page: { page: q.page, pageSize: q.pageSize, total: count?.n ?? 0 } };
    },

    async adminGet(staff, id) {
      const a = await rowById(id);
      const t = await typeOf(a);
      const [atts, trans, ratings, notes] = await Promise.all([
        attachmentsOf(a, t),
        transitionsOf(a.id),
        ratingsOf(a.id),
        db.select().from(applicationNotes).where(eq(applicationNotes.applicationId, a.id)).orderBy(asc(applicationNotes.id)),
      ]);
      // Staff reading a citizen's full answers is a personal-data read: it is recorded.
      await audit.record(db, {
        actor: { staffId: staff.id },
        action: 'application.read',
        subjectType: 'application',
        subjectId: a.id,
        detail: { citizenId: a.citizenId, fields: t.formSchema.filter((f) => a.answers[f.key] !== undefined).map((f) => f.key) },
      });
      return {
        ...adminSummary(a, t),
        citizenId: a.citizenId,
        handlingRole: t.handlingRole,
        timeLimitDays: t.timeLimitDays,
        dueBefore: iso(a.dueBefore),
        answers: a.answers,
        fields: t.formSchema,
        materials: [...t.materials],
        attachments: atts,
        attachmentIds: [...a.attachmentIds],
        reason: a.reason,
        timeline: trans.map(staffTimelineEntry),
        notes: notes.map((n) => ({ id: n.id, staffId: n.staffId, text: n.text, at: iso(n.at) })),
        ratings: ratings.map(({ rating, followUp }) => ({
          stage: rating.stage,
          score: rating.score,
          label: scoreLabel(rating.score),
          comment: rating.comment,
          at: iso(rating.at),
          followUp: followUp ? followUpView(followUp, rating, a, t.name) : null,
        })),
        allowedTransitions: allowedFor(staff.role, a, t),
      };
    },

    async transition(staff, id, to, noteIn) {
      const note = noteIn?.trim() || null;
      await retryingTx(() =>
        db.transaction(async (tx) => {
          const a = await lock(tx, id);
          if (!isTransition(a.status, to)) throw new AppError('APPLICATION_TRANSITION_NOT_ALLOWED', undefined, { status: a.status, to });
          const type = await typeOf(a, tx);
          if (!mayMove(staff.role, a.status, to)) throw new AppError('APPLICATION_ROLE_FORBIDDEN');
          if (DECISIONS.has(to) && !canDecide(staff.role, type.handlingRole)) throw new AppError('APPLICATION_ROLE_FORBIDDEN', `该事项须由${type.handlingRole === 'admin' ? '管理员' : '科长（supervisor）'}作出决定。`);
          if (REASON_REQUIRED.has(to) && !note) throw new AppError('APPLICATION_REASON_REQUIRED', undefined, [{ path: 'note', message: '请填写原因' }]);
          await move(tx, a, type, to, { kind: 'staff', staff }, note);
        }),
      );
      return stateView(staff, id);
    },

    async assign(staff, id, staffId) {
      if (staff.role === 'clerk' && staffId !== null && staffId !== staff.id) throw new AppError('APPLICATION_ROLE_FORBIDDEN', '办理人员只能把申请分派给自己。');
      if (staffId !== null) {
        const target = await deps.staffLookup(staffId);
        if (!target || target.disabled || !(['clerk', 'supervisor', 'admin'] as StaffRole[]).includes(target.role)) {
          throw new AppError('APPLICATION_ASSIGNEE_INVALID', undefined, [{ path: 'staffId', message: '只能分派给在岗的办理人员' }]);
        }
      }
      await db.transaction(async (tx) => {
        const a = await lock(tx, id);
        if (staff.role === 'clerk' && staffId === null && a.assigneeStaffId !== staff.id) throw new AppError('APPLICATION_ROLE_FORBIDDEN', '办理人员只能取消分派给自己的申请。');
        await tx.update(applications).set({ assigneeStaffId: staffId, updatedAt: new Date(now()) }).where(eq(applications.id, a.id));
        await audit.record(tx, { actor: { staffId: staff.id }, action: 'application.assign', subjectType: 'application', subjectId: a.id, detail: { from: a.assigneeStaffId, to: staffId } });
      });
      return stateView(staff, id);
    },

    async addNote(staff, id, text) {
      const at = new Date(now());
      const noteId = await db.transaction(async (tx) => {
        const a = await lock(tx, id);
        const [res] = await tx.insert(applicationNotes).values({ applicationId: a.id, staffId: staff.id, text, at });
        await audit.record(tx, { actor: { staffId: staff.id }, action: 'application.note', subjectType: 'application', subjectId: a.id, detail: { noteId: res.insertId, length: text.length } });
        return res.insertId;
      });
      return { id: noteId, staffId: staff.id, text, at: iso(at) };
    },

    async staffAttachment(staff, id) {
      const file = await files.read(id);
      await audit.record(db, { actor: { staffId: staff.id }, action: 'attachment.read', subjectType: 'attachment', subjectId: id, detail: { ownerCitizenId: file.row.ownerCitizenId, mime: file.row.mime } });
      return file;
    },

    async listFollowUps(q) {
      const conds: SQL[] = [];
      if (q.status !== 'all') conds.push(eq(ratingFollowUps.status, q.status));
      if (q.overdue === true) conds.push(and(eq(ratingFollowUps.status, 'open'), lte(ratingFollowUps.dueBefore, new Date(now())))!);
      if (q.overdue === false) conds.push(sql`NOT (${and(eq(ratingFollowUps.status, 'open'), lte(ratingFollowUps.dueBefore, new Date(now())))})`);
      const where = conds.length ? and(...conds) : undefined;
      const [count] = await db.select({ n: sql<number>`COUNT(*)`.mapWith(Number) }).from(ratingFollowUps).where(where);
      const rows = await db
        .select({ f: ratingFollowUps, r: applicationRatings, a: { applicationNo: applications.applicationNo, typeId: applications.typeId } })
        .from(ratingFollowUps)
        .innerJoin(applicationRatings, eq(applicationRatings.id, ratingFollowUps.ratingId))
        .innerJoin(applications, eq(applications.id, ratingFollowUps.applicationId))
        .where(where)
        .orderBy(asc(ratingFollowUps.dueBefore), asc(ratingFollowUps.id))
        .limit(q.pageSize)
        .offset((q.page - 1) * q.pageSize);
      const types = await typesById(rows.map((r) => r.a.typeId));
      return {
        items: rows.map(({ f, r, a }) => followUpView(f, r, a, types.get(a.typeId)?.name ?? '')),
        page: { page: q.page, pageSize: q.pageSize, total: count?.n ?? 0 },
      };
    },

    async closeFollowUp(staff, id, response) {
      await db.transaction(async (tx) => {
        const f = (await tx.select().from(ratingFollowUps).where(eq(ratingFollowUps.id, id)).for('update'))[0];
        if (!f) throw new AppError('FOLLOW_UP_NOT_FOUND');
        if (f.status !== 'open') throw new AppError('FOLLOW_UP_CLOSED');
        const at = new Date(now());
        await tx.update(ratingFollowUps).set({ status: 'closed', response, closedByStaffId: staff.id, closedAt: at }).where(and(eq(ratingFollowUps.id, id), eq(ratingFollowUps.status, 'open')));
        await audit.record(tx, {
          actor: { staffId: staff.id },
          action: 'follow_up.close',
          subjectType: 'rating_follow_up',
          subjectId: id,
          detail: { applicationId: f.applicationId, late: at >= f.dueBefore, responseLength: response.length },
        });
      });
      const row = (
        await db
          .select({ f: ratingFollowUps, r: applicationRatings, a: { applicationNo: applications.applicationNo, typeId: applications.typeId } })
          .from(ratingFollowUps)
          .innerJoin(applicationRatings, eq(applicationRatings.id, ratingFollowUps.ratingId))
          .innerJoin(applications, eq(applications.id, ratingFollowUps.applicationId))
          .where(eq(ratingFollowUps.id, id))
      )[0]!;
      const types = await typesById([row.a.typeId]);
      return followUpView(row.f, row.r, row.a, types.get(row.a.typeId)?.name ?? '');
    },

    async dashboard() {
      const today = toShanghaiDate(now());
      const at = new Date(now());
      const [byStatusRows, [overdue], [fu], appointmentsToday] = await Promise.all([
        db.select({ status: applications.status, n: sql<number>`COUNT(*)`.mapWith(Number) }).from(applications).groupBy(applications.status),
        db.select({ n: sql<number>`COUNT(*)`.mapWith(Number) }).from(applications).where(overdueSql()),
        db
          .select({
            open: sql<number>`COUNT(*)`.mapWith(Number),
            overdue: sql<number>`COALESCE(SUM(${ratingFollowUps.dueBefore} <= ${at}), 0)`.mapWith(Number),
          })
          .from(ratingFollowUps)
          .where(eq(ratingFollowUps.status, 'open')),
        deps.appointmentsOn(today),
      ]);
      const byStatus = Object.fromEntries(APPLICATION_STATUSES.map((s) => [s, 0])) as Record<ApplicationStatus, number>;
      for (const r of byStatusRows) if (r.status in byStatus) byStatus[r.status] = r.n;
      const open = APPLICATION_STATUSES.filter((s) => !FINISHED.has(s)).reduce((sum, s) => sum + byStatus[s], 0);
      return { date: today, byStatus, open, overdue: overdue?.n ?? 0, openFollowUps: fu?.open ?? 0, overdueFollowUps: fu?.overdue ?? 0, appointmentsToday };
    },
  };
}
