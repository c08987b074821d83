import { sql } from 'drizzle-orm';
import { bigint, boolean, char, date, datetime, index, int, json, mysqlTable, smallint, text, tinyint, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

/**
 * Applications (REFERENCE.md "Applications", issue 5 §2): application types defined as data,
 * citizens' applications with their transitions (the timeline and audit of the state machine),
 * staff-internal notes, attachments, 好差评 ratings and the follow-ups a bad rating opens.
 * Instants are UTC; `date` columns are Asia/Shanghai civil dates.
 */

/** One field of an application type's form (validated by server/applications/form-schema.ts). */
export interface FormFieldDef {
  key: string;
  label: string;
  kind: 'text' | 'number' | 'date' | 'selection' | 'id_number' | 'phone' | 'plate' | 'file';
  required: boolean;
  hint?: string;
  /** text: length limits (characters) */
  minLength?: number;
  maxLength?: number;
  /** number: value limits */
  min?: number;
  max?: number;
  integer?: boolean;
  /** selection: the choices */
  options?: { value: string; label: string }[];
  /** file: how many attachments at most */
  maxFiles?: number;
}

export const applicationTypes = mysqlTable(
  'application_types',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    code: varchar('code', { length: 32 }).notNull(),
    name: varchar('name', { length: 64 }).notNull(),
    description: varchar('description', { length: 1000 }).notNull(),
    formSchema: json('form_schema').$type<FormFieldDef[]>().notNull(),
    /** materials the citizen must provide (uploads or at the counter) */
    materials: json('materials').$type<string[]>().notNull(),
    /** 承诺时限 in working days, counted from submission */
    timeLimitDays: smallint('time_limit_days', { unsigned: true }).notNull(),
    /** the least staff role that may decide (approve/reject) applications of this type */
    handlingRole: varchar('handling_role', { length: 16 }).notNull(),
    active: boolean('active').notNull().default(true),
    sortOrder: smallint('sort_order').notNull().default(0),
  },
  (t) => [uniqueIndex('application_types_code_uq').on(t.code)],
);

export const APPLICATION_STATUSES = ['submitted', 'accepted', 'in_review', 'needs_info', 'approved', 'rejected', 'completed', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const applications = mysqlTable(
  'applications',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** the citizen-visible reference number, e.g. SQ20261121000123 */
    applicationNo: varchar('application_no', { length: 24 }).notNull(),
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }).notNull(),
    typeId: int('type_id', { unsigned: true }).notNull(),
    status: varchar('status', { length: 12 }).$type<ApplicationStatus>().notNull(),
    /** validated, normalised answers keyed by form field key */
    answers: json('answers').$type<Record<string, unknown>>().notNull(),
    /** materials uploaded beside the form's file fields */
    attachmentIds: json('attachment_ids').$type<number[]>().notNull(),
    /** number of transitions so far; the next transition row gets seq + 1 (unique) */
    transitionSeq: int('transition_seq', { unsigned: true }).notNull().default(0),
    assigneeStaffId: bigint('assignee_staff_id', { mode: 'number', unsigned: true }),
    /** the last needs_info / rejected reason, for the citizen */
    reason: varchar('reason', { length: 500 }),
    submittedAt: datetime('submitted_at', { mode: 'date', fsp: 3 }).notNull(),
    acceptedAt: datetime('accepted_at', { mode: 'date', fsp: 3 }),
    decidedAt: datetime('decided_at', { mode: 'date', fsp: 3 }),
    completedAt: datetime('completed_at', { mode: 'date', fsp: 3 }),
    withdrawnAt: datetime('withdrawn_at', { mode: 'date', fsp: 3 }),
    /** last day of the 承诺时限 (inclusive) and the instant it is overdue from */
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    dueBefore: datetime('due_before', { mode: 'date' }).notNull(),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [
    uniqueIndex('applications_no_uq').on(t.applicationNo),
    index('applications_citizen_idx').on(t.citizenId, t.submittedAt),
    index('applications_status_idx').on(t.status, t.dueBefore),
    index('applications_assignee_idx').on(t.assigneeStaffId, t.status),
  ],
);

/** Every state change: who, when, from, to, note. seq is unique per application (race guard). */
export const applicationTransitions = mysqlTable(
  'application_transitions',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    applicationId: bigint('application_id', { mode: 'number', unsigned: true }).notNull(),
    seq: int('seq', { unsigned: true }).notNull(),
    /** null for the submission itself */
    fromStatus: varchar('from_status', { length: 12 }).$type<ApplicationStatus>(),
    toStatus: varchar('to_status', { length: 12 }).$type<ApplicationStatus>().notNull(),
    actorType: varchar('actor_type', { length: 8 }).$type<'citizen' | 'staff' | 'system'>().notNull(),
    actorId: bigint('actor_id', { mode: 'number', unsigned: true }),
    /** the citizen reads it (reasons for needs_info / rejected, the staff's note on a step) */
    note: varchar('note', { length: 500 }),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [uniqueIndex('application_transitions_seq_uq').on(t.applicationId, t.seq)],
);

/** Staff-internal notes: never in any H5 response. */
export const applicationNotes = mysqlTable(
  'application_notes',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    applicationId: bigint('application_id', { mode: 'number', unsigned: true }).notNull(),
    staffId: bigint('staff_id', { mode: 'number', unsigned: true }).notNull(),
    text: varchar('text', { length: 2000 }).notNull(),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [index('application_notes_application_idx').on(t.applicationId, t.at)],
);

/**
 * An uploaded file's metadata, one row per (owner, content): the same citizen uploading the same
 * bytes twice gets the same row; the bytes live once on disk under their SHA-256. A row never
 * named by a submitted application (`attached_at` null) is an orphan once `uploaded_at` is older
 * than ATTACHMENT_ORPHAN_HOURS, and the cleanup job deletes it (server/applications/orphan-attachments.ts).
 */
export const attachments = mysqlTable(
  'attachments',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    ownerCitizenId: bigint('owner_citizen_id', { mode: 'number', unsigned: true }).notNull(),
    sha256: char('sha256', { length: 64 }).notNull(),
    /** sniffed from the bytes, never the client's claim */
    mime: varchar('mime', { length: 32 }).notNull(),
    size: int('size', { unsigned: true }).notNull(),
    filename: varchar('filename', { length: 128 }).notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    /** the last time the owner uploaded these bytes (an upload again restarts the orphan clock) */
    uploadedAt: datetime('uploaded_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    /** when an application (submitted or resubmitted) first named it: a case record from then on, never deleted */
    attachedAt: datetime('attached_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [
    uniqueIndex('attachments_owner_sha_uq').on(t.ownerCitizenId, t.sha256),
    // the cleanup's "does any row still use this file" (its gap lock also holds off a new row for the same bytes)
    index('attachments_sha_idx').on(t.sha256),
    index('attachments_orphan_idx').on(t.attachedAt, t.uploadedAt),
  ],
);

export const RATING_STAGES = ['accepted', 'completed'] as const;
export type RatingStage = (typeof RATING_STAGES)[number];

/** 好差评: one per application and stage (unique), five levels 5..1. */
export const applicationRatings = mysqlTable(
  'application_ratings',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    applicationId: bigint('application_id', { mode: 'number', unsigned: true }).notNull(),
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }).notNull(),
    stage: varchar('stage', { length: 12 }).$type<RatingStage>().notNull(),
    score: tinyint('score', { unsigned: true }).notNull(),
    comment: varchar('comment', { length: 500 }).notNull().default(''),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [uniqueIndex('application_ratings_stage_uq').on(t.applicationId, t.stage)],
);

/** A bad rating (1–2) must be answered by staff within a number of working days. */
export const ratingFollowUps = mysqlTable(
  'rating_follow_ups',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    ratingId: bigint('rating_id', { mode: 'number', unsigned: true }).notNull(),
    applicationId: bigint('application_id', { mode: 'number', unsigned: true }).notNull(),
    status: varchar('status', { length: 8 }).$type<'open' | 'closed'>().notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    dueBefore: datetime('due_before', { mode: 'date' }).notNull(),
    /** what staff found and did, for the citizen */
    response: text('response'),
    closedByStaffId: bigint('closed_by_staff_id', { mode: 'number', unsigned: true }),
    closedAt: datetime('closed_at', { mode: 'date', fsp: 3 }),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [uniqueIndex('rating_follow_ups_rating_uq').on(t.ratingId), index('rating_follow_ups_status_idx').on(t.status, t.dueBefore)],
);

export type ApplicationTypeRow = typeof applicationTypes.$inferSelect;
export type ApplicationRow = typeof applications.$inferSelect;
export type ApplicationTransitionRow = typeof applicationTransitions.$inferSelect;
export type ApplicationNoteRow = typeof applicationNotes.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;
export type ApplicationRatingRow = typeof applicationRatings.$inferSelect;
export type RatingFollowUpRow = typeof ratingFollowUps.$inferSelect;
