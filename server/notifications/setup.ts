import type { Database } from '../../db/schema';
import { createReminderJob } from '../appointments/reminders';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { AuditLog } from '../staff/audit-types';
import type { WechatClient } from '../wechat/api-client';
import type { WechatEventBus } from '../wechat/event-bus';
import type { OutboxWithWake } from './outbox';
import { createReceiptHandler, type ReceiptHandler } from './receipts';
import { createNotificationAdminService, type NotificationAdminService } from './service';
import { resolveTemplateIds, TEMPLATE_SLOTS } from './templates';
import { createNotificationWorker, type NotificationWorker, type NotificationWorkerDeps } from './worker';

export interface NotificationParts {
  receipts: ReceiptHandler;
  worker: NotificationWorker;
  admin: NotificationAdminService;
}

/**
 * Builds the notification area around the outbox: receipts are registered on the event bus in
 * every process that takes pushes; the worker is built here but started by its owner (main.ts
 * when NOTIFY_WORKER_IN_SERVER, or server/worker.ts).
 */
export function createNotificationParts(input: {
  config: Config;
  db: Database;
  now: () => number;
  logger: Logger;
  wechat: WechatClient;
  wechatEvents: WechatEventBus;
  citizens: NotificationWorkerDeps['citizens'];
  audit: AuditLog;
  outbox: OutboxWithWake;
}): NotificationParts {
  const { config, db, now } = input;
  const logger = input.logger.child({ area: 'notifications' });
  const receipts = createReceiptHandler({ db, now });
  input.wechatEvents.onTemplateReceipt((r) => receipts.handle(r));
  const templateIds = resolveTemplateIds(config.wechat.mode, config.notifications.templates);
  const missing = TEMPLATE_SLOTS.filter((s) => !templateIds[s]);
  // Not fatal: messages of those kinds end as permanent_failure NOTIFICATION_TEMPLATE_NOT_CONFIGURED, visible in the log.
  if (missing.length) logger.warn({ missing }, 'template ids not configured: those notifications will fail (set WECHAT_TEMPLATE_*)');
  const worker = createNotificationWorker({
    db,
    now,
    logger,
    send: (m) => input.wechat.template.send(m),
    citizens: input.citizens,
    receipts,
    publicBaseUrl: config.publicBaseUrl,
    templateIds,
    settings: config.notifications,
    reminders: createReminderJob({ db, now, outbox: input.outbox }),
  });
  input.outbox.onEnqueue(() => worker.wake());
  const admin = createNotificationAdminService({ db, audit: input.audit, now, wake: () => worker.wake() });
  return { receipts, worker, admin };
}
