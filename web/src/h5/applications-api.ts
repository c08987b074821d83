/** The applications area's H5 API (server/applications/routes.ts), signed in through OAuth. */
import { apiGet, apiPost } from '../common/api';
import { withSignIn } from '../common/auth-redirect';
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

export const fetchApplicationTypes = () => withSignIn(() => apiGet<ApplicationTypeView[]>('/api/h5/application-types'));
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
