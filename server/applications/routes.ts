import Router from '@koa/router';
import type { Context } from 'koa';
import { requireCitizen } from '../citizens/require-citizen';
import { AppError } from '../http/errors';
import type { AppState } from '../http/state';
import { parseInput } from '../http/validate';
import { requireStaff } from '../staff/guard';
import { ATTACHMENT_TYPES, contentDisposition, readBodyBytes, type StoredFile } from './attachments';
import {
  adminListQuery,
  assignBody,
  closeFollowUpBody,
  followUpsQuery,
  idParam,
  noteBody,
  ratingBody,
  resubmitBody,
  submitBody,
  transitionBody,
  uploadQuery,
  type UploadLimitsView,
} from './schema';
import type { ApplicationService } from './service';

/** The upload route reads its own (binary) body; app.ts lists it in OWN_BODY_PARSERS. */
export const ATTACHMENT_UPLOAD_PATH = '/api/h5/attachments';

/** A stored file with headers that keep a browser from treating it as anything but what it is. */
function sendFile(ctx: Context, file: StoredFile) {
  ctx.set('Content-Type', file.row.mime);
  ctx.set('Content-Disposition', contentDisposition(file.row.filename));
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'private, no-store');
  // A PDF opened inline must not run script or be framed by another site.
  ctx.set('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  ctx.body = file.bytes;
}

/**
 * Applications: H5 (the signed-in citizen's own applications and attachments; 404 for anyone
 * else's) and the admin queue (roles declared per route; CSRF is checked by the staff session
 * middleware for every write).
 */
export function applicationRoutes(deps: { applications: ApplicationService }) {
  const router = new Router<AppState>();
  const svc = deps.applications;
  const citizen = requireCitizen();
  const handlers = requireStaff('admin', 'supervisor', 'clerk');
  const anyStaff = requireStaff('admin', 'supervisor', 'clerk', 'evaluator');

  // --- H5 --------------------------------------------------------------------------------------

  // The upload rules ride along (beside `data`, which stays the list), so the page's limit is the server's.
  router.get('/api/h5/application-types', async (ctx) => {
    const uploads: UploadLimitsView = { maxBytes: svc.attachmentMaxBytes, types: [...ATTACHMENT_TYPES] };
    ctx.body = { data: await svc.listTypes(), uploads };
  });

  router.post(ATTACHMENT_UPLOAD_PATH, citizen, async (ctx) => {
    const q = parseInput(uploadQuery, ctx.query);
    const type = ctx.get('content-type');
    if (!type) throw new AppError('ATTACHMENT_TYPE_NOT_ALLOWED');
    const bytes = await readBodyBytes(ctx, svc.attachmentMaxBytes);
    const { view } = await svc.upload(ctx.state.citizen!, bytes, type, q.filename);
    ctx.status = 201;
    ctx.body = { data: view };
  });

  router.get('/api/h5/attachments/:id', citizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    sendFile(ctx, await svc.ownAttachment(ctx.state.citizen!, id));
  });

  router.post('/api/h5/applications', citizen, async (ctx) => {
    const body = parseInput(submitBody, ctx.request.body);
    const data = await svc.submit(ctx.state.citizen!, body);
    ctx.status = 201;
    ctx.body = { data };
  });

  router.get('/api/h5/applications', citizen, async (ctx) => {
    ctx.body = { data: await svc.listOwn(ctx.state.citizen!) };
  });

  router.get('/api/h5/applications/:id', citizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    ctx.body = { data: await svc.getOwn(ctx.state.citizen!, id) };
  });

  router.post('/api/h5/applications/:id/resubmit', citizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const body = parseInput(resubmitBody, ctx.request.body);
    ctx.body = { data: await svc.resubmit(ctx.state.citizen!, id, body) };
  });

  router.post('/api/h5/applications/:id/withdraw', citizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    ctx.body = { data: await svc.withdraw(ctx.state.citizen!, id) };
  });

  router.post('/api/h5/applications/:id/ratings', citizen, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const body = parseInput(ratingBody, ctx.request.body);
    const data = await svc.rate(ctx.state.citizen!, id, body);
    ctx.status = 201;
    ctx.body = { data };
  });

  // --- admin -----------------------------------------------------------------------------------

  router.get('/api/admin/dashboard', anyStaff, async (ctx) => {
    ctx.body = { data: await svc.dashboard() };
  });

  router.get('/api/admin/applications', handlers, async (ctx) => {
    const q = parseInput(adminListQuery, ctx.query);
    const { items, page } = await svc.adminList(ctx.state.staff!, q);
    ctx.body = { data: items, page };
  });

  router.get('/api/admin/applications/:id', handlers, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    ctx.body = { data: await svc.adminGet(ctx.state.staff!, id) };
  });

  router.post('/api/admin/applications/:id/transitions', handlers, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const body = parseInput(transitionBody, ctx.request.body);
    ctx.body = { data: await svc.transition(ctx.state.staff!, id, body.to, body.note) };
  });

  // A clerk may assign only to themself (the service checks); supervisors and admins to anyone.
  router.post('/api/admin/applications/:id/assign', handlers, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const body = parseInput(assignBody, ctx.request.body);
    ctx.body = { data: await svc.assign(ctx.state.staff!, id, body.staffId) };
  });

  router.post('/api/admin/applications/:id/notes', handlers, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const body = parseInput(noteBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = { data: await svc.addNote(ctx.state.staff!, id, body.text) };
  });

  router.get('/api/admin/attachments/:id', handlers, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    sendFile(ctx, await svc.staffAttachment(ctx.state.staff!, id));
  });

  router.get('/api/admin/follow-ups', handlers, async (ctx) => {
    const q = parseInput(followUpsQuery, ctx.query);
    const { items, page } = await svc.listFollowUps(q);
    ctx.body = { data: items, page };
  });

  router.post('/api/admin/follow-ups/:id/close', handlers, async (ctx) => {
    const { id } = parseInput(idParam, ctx.params);
    const body = parseInput(closeFollowUpBody, ctx.request.body);
    ctx.body = { data: await svc.closeFollowUp(ctx.state.staff!, id, body.response) };
  });

  return router;
}
