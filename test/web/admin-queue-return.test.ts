import { describe, expect, it } from 'vitest';
import { queueReturnPath } from '../../web/src/admin/pages/applications/queue-return';

describe('返回办件队列 target', () => {
  it('is the queue the detail was opened from, filters and page included', () => {
    expect(queueReturnPath('/applications?status=submitted&assignee=7&page=2')).toBe('/applications?status=submitted&assignee=7&page=2');
    expect(queueReturnPath('/applications')).toBe('/applications');
    expect(queueReturnPath('/applications?overdue=true#top')).toBe('/applications?overdue=true');
  });

  it('is the plain queue after a direct visit or when the previous page was not the queue', () => {
    for (const back of [undefined, null, '', 42, '/dashboard', '/follow-ups?status=open', '/applications/12', '/applicationsx?a=1']) {
      expect(queueReturnPath(back)).toBe('/applications');
    }
  });

  it('never leads out of the app', () => {
    for (const back of ['//evil.example/applications', 'https://evil.example/applications?page=2', 'applications?page=2']) {
      expect(queueReturnPath(back)).toBe('/applications');
    }
  });
});
