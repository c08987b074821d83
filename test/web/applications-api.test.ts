import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchApplicationTypes, fetchUploadLimits } from '../../web/src/h5/applications-api';
import { DEFAULT_UPLOAD_LIMITS } from '../../web/src/h5/applications-form';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => vi.unstubAllGlobals());

const TYPE = { code: 'licence_renewal', name: '驾驶证期满换证', description: '', materials: [], timeLimitDays: 5, fields: [] };

describe('the application types answer', () => {
  it('brings the upload rules the server announces beside the list', async () => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      return json(200, { data: [TYPE], uploads: { maxBytes: 2 * 1024 * 1024, types: ['image/jpeg'] } });
    });
    await expect(fetchApplicationTypes()).resolves.toEqual({ types: [TYPE], uploads: { maxBytes: 2 * 1024 * 1024, types: ['image/jpeg'] } });
    await expect(fetchUploadLimits()).resolves.toEqual({ maxBytes: 2 * 1024 * 1024, types: ['image/jpeg'] });
    expect(calls).toEqual(['/api/h5/application-types', '/api/h5/application-types']);
  });

  it('keeps the defaults when a server does not announce them', async () => {
    vi.stubGlobal('fetch', async () => json(200, { data: [TYPE] }));
    await expect(fetchApplicationTypes()).resolves.toEqual({ types: [TYPE], uploads: DEFAULT_UPLOAD_LIMITS });
  });
});
