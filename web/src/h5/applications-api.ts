/** The applications area's H5 API (server/applications/routes.ts), signed in through OAuth. */
import { apiGet, apiPost, apiRequest } from '../common/api';
import { withSignIn } from '../common/auth-redirect';
import { uploadLimitsFrom, type UploadLimits } from './applications-form';
import { uploadAttachment, type UploadOptions } from './applications-upload';
import type {
  ApplicationDetailView,
  ApplicationSummaryView,
  ApplicationTypeView,
  AttachmentView,
  RatingBody,
  ResubmitBody,
  SubmitBody,
} from '../../../server/applications/schema';

export type { ApplicationDetailView, ApplicationSummaryView, ApplicationTypeView, AttachmentView };
export type { RatingView, TimelineEntry } from '../../../server/applications/schema';

/** The types, and the upload rules the server announces beside them (ATTACHMENT_MAX_BYTES, types). */
export async function fetchApplicationTypes(): Promise<{ types: ApplicationTypeView[]; uploads: UploadLimits }> {
  const env = await withSignIn(() => apiRequest<ApplicationTypeView[]>('GET', '/api/h5/application-types'));
  return { types: env.data, uploads: uploadLimitsFrom((env as { uploads?: unknown }).uploads) };
}
/** Only the upload rules (the 补正 form on the detail page). */
export const fetchUploadLimits = async () => (await fetchApplicationTypes()).uploads;
export const fetchApplications = () => withSignIn(() => apiGet<ApplicationSummaryView[]>('/api/h5/applications'));
export const fetchApplication = (id: number) => withSignIn(() => apiGet<ApplicationDetailView>(`/api/h5/applications/${id}`));

export const submitApplication = (body: SubmitBody) => withSignIn(() => apiPost<ApplicationDetailView>('/api/h5/applications', body));
export const resubmitApplication = (id: number, body: ResubmitBody) =>
  withSignIn(() => apiPost<ApplicationDetailView>(`/api/h5/applications/${id}/resubmit`, body));
export const withdrawApplication = (id: number) => withSignIn(() => apiPost<ApplicationDetailView>(`/api/h5/applications/${id}/withdraw`, {}));
export const rateApplication = (id: number, body: RatingBody) =>
  withSignIn(() => apiPost<ApplicationDetailView>(`/api/h5/applications/${id}/ratings`, body));
/** The citizen's own file (opens inline in the browser). */
export const attachmentUrl = (id: number) => `/api/h5/attachments/${id}`;

export const uploadFile = (file: File, options?: UploadOptions) => withSignIn(() => uploadAttachment<AttachmentView>(file, options));
