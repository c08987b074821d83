import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, PROJECT_ROOT } from '../../../server/config';

describe('applications configuration', () => {
  it('defaults: attachments under DATA_DIR, 5 MiB, orphans after 24 hours, 5 working days for a follow-up', () => {
    const c = parseConfig({ DATA_DIR: 'var/portal' });
    expect(c.applications).toEqual({ attachmentsDir: join(PROJECT_ROOT, 'var/portal/attachments'), attachmentMaxBytes: 5 * 1024 * 1024, orphanHours: 24, followUpWorkingDays: 5 });
  });

  it('takes overrides and refuses nonsense, naming the variable', () => {
    const c = parseConfig({ ATTACHMENTS_DIR: '/srv/attachments', ATTACHMENT_MAX_BYTES: '1048576', ATTACHMENT_ORPHAN_HOURS: '72', RATING_FOLLOW_UP_WORKING_DAYS: '15' });
    expect(c.applications).toEqual({ attachmentsDir: '/srv/attachments', attachmentMaxBytes: 1048576, orphanHours: 72, followUpWorkingDays: 15 });
    expect(() => parseConfig({ ATTACHMENT_ORPHAN_HOURS: '0' })).toThrow(/ATTACHMENT_ORPHAN_HOURS/);
    expect(() => parseConfig({ ATTACHMENT_MAX_BYTES: '10' })).toThrow(ConfigError);
    expect(() => parseConfig({ RATING_FOLLOW_UP_WORKING_DAYS: '0' })).toThrow(/RATING_FOLLOW_UP_WORKING_DAYS/);
  });
});
