/** The applications area's admin API (docs/api-applications.md), through the admin client (CSRF, sign-in). */
import { apiGet } from '../../../common/api';
import { adminGet, adminGetPage, adminPost, withQuery } from '../../api';
import type {
  AdminApplicationDetail,
  AdminApplicationListItem,
  AdminApplicationState,
  AdminFollowUpView,
  ApplicationStatus,
  ApplicationTypeView,
  DashboardView,
  NoteView,
  PageInfo,
} from '../../../../../server/applications/schema';
/** `GET /api/admin/staff-directory` (server/staff/routes.ts) */
interface StaffDirectoryEntry {
  id: number;
  displayName: string;
  role: string;
}
import { queueQuery, type QueueFilters } from './application-actions';

export type { AdminApplicationDetail, AdminApplicationListItem, AdminFollowUpView, ApplicationStatus, DashboardView, NoteView, PageInfo };

export const fetchDashboard = () => adminGet<DashboardView>('/api/admin/dashboard');

export const fetchQueue = (filters: QueueFilters, page: number, pageSize: number) =>
  adminGetPage<AdminApplicationListItem, PageInfo>(withQuery('/api/admin/applications', queueQuery(filters, page, pageSize)));

export const fetchApplication = (id: number) => adminGet<AdminApplicationDetail>(`/api/admin/applications/${id}`);
/** Moves and assignment answer with the state only (no personal data); the page merges it into the detail it holds. */
export const transition = (id: number, to: ApplicationStatus, note: string) =>
  adminPost<AdminApplicationState>(`/api/admin/applications/${id}/transitions`, note.trim() ? { to, note: note.trim() } : { to });
export const assign = (id: number, staffId: number | null) => adminPost<AdminApplicationState>(`/api/admin/applications/${id}/assign`, { staffId });
export const addNote = (id: number, text: string) => adminPost<NoteView>(`/api/admin/applications/${id}/notes`, { text });

/** Staff see every upload through their own audited route, never the citizen's. */
export const adminAttachmentUrl = (id: number) => `/api/admin/attachments/${id}`;

export const fetchFollowUps = (status: 'open' | 'closed' | 'all', page: number, pageSize: number) =>
  adminGetPage<AdminFollowUpView, PageInfo>(withQuery('/api/admin/follow-ups', { status, page, pageSize }));
export const closeFollowUp = (id: number, response: string) => adminPost<AdminFollowUpView>(`/api/admin/follow-ups/${id}/close`, { response });

/** The type list for the queue filter: the public list citizens choose from (no session needed). */
export async function fetchTypeOptions(): Promise<{ code: string; name: string }[]> {
  try {
    const types = await apiGet<ApplicationTypeView[]>('/api/h5/application-types');
    return types.map((t) => ({ code: t.code, name: t.name }));
  } catch {
    return []; // the filter still works by the types seen in the queue
  }
}

/** Names of current colleagues (the staff directory); a former colleague shows as an id. */
export async function fetchStaffNames(): Promise<Map<number, string>> {
  try {
    const staff = await adminGet<StaffDirectoryEntry[]>('/api/admin/staff-directory');
    return new Map(staff.map((s) => [s.id, s.displayName]));
  } catch {
    return new Map();
  }
}

export async function fetchAssignableStaff(): Promise<{ id: number; name: string }[]> {
  try {
    const staff = await adminGet<StaffDirectoryEntry[]>('/api/admin/staff-directory');
    return staff.map((s) => ({ id: s.id, name: s.displayName }));
  } catch {
    return [];
  }
}
