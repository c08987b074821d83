import { z } from 'zod';
import { APPLICATION_STATUSES, RATING_STAGES, type ApplicationStatus, type FormFieldDef, type RatingStage } from '../../db/schema';

/**
 * Request contracts and response shapes of the applications area. The H5 and admin pages import
 * the types with `import type`; docs/api-applications.md shows examples.
 */

export type { ApplicationStatus, FormFieldDef, RatingStage };
export { APPLICATION_STATUSES, RATING_STAGES };

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const attachmentIds = z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).max(20);
/** answers are checked against the type's form in the service (errors name the field) */
const answers = z.record(z.string().max(64), z.unknown());

export const idParam = z.object({ id });

// --- H5 --------------------------------------------------------------------------------------

export const submitBody = z.strictObject({
  typeCode: z.string().trim().min(1).max(32),
  answers,
  /** further materials beside the form's file fields (ids from POST /api/h5/attachments) */
  attachmentIds: attachmentIds.optional(),
});
export type SubmitBody = z.infer<typeof submitBody>;

/** Answering needs_info: the whole form again (changed where asked), optionally new materials. */
export const resubmitBody = z.strictObject({
  answers,
  attachmentIds: attachmentIds.optional(),
  /** a short word to the clerk, shown in the timeline */
  note: z.string().trim().max(500).optional(),
});
export type ResubmitBody = z.infer<typeof resubmitBody>;

export const ratingBody = z.strictObject({
  stage: z.enum(RATING_STAGES),
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(500).optional(),
});
export type RatingBody = z.infer<typeof ratingBody>;

export const uploadQuery = z.object({ filename: z.string().max(200).optional() });

// --- admin -----------------------------------------------------------------------------------

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const page = z.coerce.number().int().min(1).max(100_000).default(1);
const pageSize = z.coerce.number().int().min(1).max(100).default(20);

export const adminListQuery = z.object({
  status: z.enum(APPLICATION_STATUSES).optional(),
  /** application type code */
  type: z.string().trim().min(1).max(32).optional(),
  overdue: flag.optional(),
  /** a staff id, `me` (the caller) or `none` (unassigned) */
  assignee: z.union([z.enum(['me', 'none']), id]).optional(),
  page,
  pageSize,
});
export type AdminListQuery = z.infer<typeof adminListQuery>;

export const transitionBody = z.strictObject({
  to: z.enum(APPLICATION_STATUSES),
  /** the citizen reads it; required for needs_info and rejected */
  note: z.string().trim().max(500).optional(),
});
export type TransitionBody = z.infer<typeof transitionBody>;

/** null unassigns */
export const assignBody = z.strictObject({ staffId: id.nullable() });
export type AssignBody = z.infer<typeof assignBody>;

export const noteBody = z.strictObject({ text: z.string().trim().min(1).max(2000) });
export type NoteBody = z.infer<typeof noteBody>;

export const followUpsQuery = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  overdue: flag.optional(),
  page,
  pageSize,
});
export type FollowUpsQuery = z.infer<typeof followUpsQuery>;

export const closeFollowUpBody = z.strictObject({ response: z.string().trim().min(1).max(2000) });
export type CloseFollowUpBody = z.infer<typeof closeFollowUpBody>;

// --- views -----------------------------------------------------------------------------------

/** 好差评 levels (national government-service rating). */
export const RATING_LABELS: Record<1 | 2 | 3 | 4 | 5, string> = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };

export interface ApplicationTypeView {
  code: string;
  name: string;
  description: string;
  materials: string[];
  /** 承诺时限 in working days from submission */
  timeLimitDays: number;
  fields: FormFieldDef[];
}

/** Upload rules, beside the types in GET /api/h5/application-types (`uploads`): the page checks a file before sending it. */
export interface UploadLimitsView {
  /** ATTACHMENT_MAX_BYTES */
  maxBytes: number;
  /** MIME types accepted (checked against the bytes) */
  types: string[];
}

export interface AttachmentView {
  id: number;
  filename: string;
  /** image/jpeg | image/png | application/pdf (sniffed from the bytes) */
  mime: string;
  size: number;
  createdAt: string;
}

export interface TimelineEntry {
  at: string;
  /** null for the submission */
  from: ApplicationStatus | null;
  to: ApplicationStatus;
  label: string;
  /** reason or note the citizen may read */
  note: string | null;
  actor: 'citizen' | 'staff' | 'system';
}

export interface FollowUpCitizenView {
  status: 'open' | 'closed';
  dueOn: string;
  response: string | null;
  closedAt: string | null;
}

export interface RatingView {
  stage: RatingStage;
  score: number;
  label: string;
  comment: string;
  at: string;
  followUp: FollowUpCitizenView | null;
}

export interface ApplicationSummaryView {
  id: number;
  applicationNo: string;
  type: { code: string; name: string };
  status: ApplicationStatus;
  statusLabel: string;
  submittedAt: string;
  updatedAt: string;
  /** last day of the 承诺时限 (Asia/Shanghai) */
  dueOn: string;
  /** needs_info: the citizen must answer */
  needsAction: boolean;
  canWithdraw: boolean;
  /** stages the citizen may rate now */
  ratableStages: RatingStage[];
}

export interface ApplicationDetailView extends ApplicationSummaryView {
  /** the citizen's own answers, in full (needed to answer needs_info) */
  answers: Record<string, unknown>;
  fields: FormFieldDef[];
  materials: string[];
  attachments: AttachmentView[];
  /** attachment ids given beside the file fields */
  attachmentIds: number[];
  /** the last needs_info / rejected reason */
  reason: string | null;
  timeline: TimelineEntry[];
  ratings: RatingView[];
  canResubmit: boolean;
}

export interface StaffTimelineEntry extends TimelineEntry {
  actorId: number | null;
}

export interface NoteView {
  id: number;
  staffId: number;
  text: string;
  at: string;
}

export interface AdminFollowUpView {
  id: number;
  applicationId: number;
  applicationNo: string;
  typeName: string;
  stage: RatingStage;
  score: number;
  scoreLabel: string;
  comment: string;
  ratedAt: string;
  status: 'open' | 'closed';
  dueOn: string;
  overdue: boolean;
  response: string | null;
  closedAt: string | null;
  closedByStaffId: number | null;
}

export interface AdminApplicationListItem {
  id: number;
  applicationNo: string;
  type: { code: string; name: string };
  status: ApplicationStatus;
  statusLabel: string;
  submittedAt: string;
  dueOn: string;
  overdue: boolean;
  assigneeStaffId: number | null;
  /** identifying answers (ID number, phone, plate masked; text as is), for telling rows apart */
  keyFields: { key: string; label: string; value: string }[];
}

export interface AdminApplicationDetail extends Omit<AdminApplicationListItem, 'keyFields'> {
  citizenId: number;
  handlingRole: string;
  timeLimitDays: number;
  /** overdue from this instant (00:00 Asia/Shanghai after dueOn) */
  dueBefore: string;
  /** in full: this read is audited */
  answers: Record<string, unknown>;
  fields: FormFieldDef[];
  materials: string[];
  attachments: AttachmentView[];
  attachmentIds: number[];
  reason: string | null;
  timeline: StaffTimelineEntry[];
  notes: NoteView[];
  ratings: (Omit<RatingView, 'followUp'> & { followUp: AdminFollowUpView | null })[];
  /** targets the calling staff member may move this application to now */
  allowedTransitions: ApplicationStatus[];
}

/** What a transition or assignment answers: the new state, without personal data. */
export interface AdminApplicationState {
  id: number;
  applicationNo: string;
  status: ApplicationStatus;
  statusLabel: string;
  reason: string | null;
  assigneeStaffId: number | null;
  dueOn: string;
  overdue: boolean;
  timeline: StaffTimelineEntry[];
  allowedTransitions: ApplicationStatus[];
}

export interface PageInfo {
  page: number;
  pageSize: number;
  total: number;
}

export interface DashboardView {
  /** Asia/Shanghai date the counts are for (appointments) */
  date: string;
  byStatus: Record<ApplicationStatus, number>;
  /** not completed or withdrawn */
  open: number;
  overdue: number;
  openFollowUps: number;
  overdueFollowUps: number;
  appointmentsToday: number;
}
