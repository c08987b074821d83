import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiGet } from '../../web/src/common/api';
import { authRedirectUrl, isAuthRequired, resetSignInRedirect, withSignIn } from '../../web/src/common/auth-redirect';

const authError = (authUrl = '/oauth/start?return=%2Fh5%2F&scope=base') =>
  new ApiError(401, { code: 'CITIZEN_AUTH_REQUIRED', message: 'sign in', details: { authUrl } });

afterEach(() => {
  vi.unstubAllGlobals();
  resetSignInRedirect();
});

describe('authRedirectUrl', () => {
  it('sends the citizen back to the page they are on (path + query), keeping the server’s scope', () => {
    expect(authRedirectUrl({ authUrl: '/oauth/start?return=%2Fh5%2F&scope=base' }, '/h5/violations?menu=v&mv=3')).toBe(
      `/oauth/start?return=${encodeURIComponent('/h5/violations?menu=v&mv=3')}&scope=base`,
    );
  });

  it('drops the fragment and keeps the server’s return when the page is not an H5 page', () => {
    expect(authRedirectUrl({ authUrl: '/oauth/start?return=%2Fh5%2Fpoints&scope=base' }, '/h5/points#top')).toBe(
      '/oauth/start?return=%2Fh5%2Fpoints&scope=base',
    );
    expect(authRedirectUrl({ authUrl: '/oauth/start?return=%2Fh5%2Fpoints&scope=base' }, '/admin/')).toBe(
      '/oauth/start?return=%2Fh5%2Fpoints&scope=base',
    );
  });

  it('never leaves the site: a missing or absolute authUrl falls back to /oauth/start', () => {
    expect(authRedirectUrl({ authUrl: 'https://evil.example/x' }, '/h5/vehicles')).toBe('/oauth/start?scope=base&return=%2Fh5%2Fvehicles');
    expect(authRedirectUrl({ authUrl: '//evil.example/x' }, '/h5/vehicles')).toBe('/oauth/start?scope=base&return=%2Fh5%2Fvehicles');
    expect(authRedirectUrl(undefined, '/elsewhere')).toBe('/oauth/start?scope=base&return=%2Fh5%2F');
  });
});

describe('withSignIn', () => {
  it('recognises only 401 CITIZEN_AUTH_REQUIRED', () => {
    expect(isAuthRequired(authError())).toBe(true);
    expect(isAuthRequired(new ApiError(401, { code: 'OTHER', message: 'x' }))).toBe(false);
    expect(isAuthRequired(new ApiError(403, { code: 'CITIZEN_AUTH_REQUIRED', message: 'x' }))).toBe(false);
    expect(isAuthRequired(new Error('x'))).toBe(false);
  });

  it('on 401 navigates once to the OAuth start and never settles; other errors pass through', async () => {
    const assign = vi.fn();
    const env = { currentPath: () => '/h5/violations?menu=a', assign };
    let settled = false;
    void withSignIn(() => Promise.reject(authError()), env).finally(() => (settled = true));
    void withSignIn(() => Promise.reject(authError()), env); // a second call failing at once
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    expect(assign).toHaveBeenCalledTimes(1);
    expect(assign).toHaveBeenCalledWith(`/oauth/start?return=${encodeURIComponent('/h5/violations?menu=a')}&scope=base`);

    const other = new ApiError(422, { code: 'VIOLATION_PROOF_FAILED', message: '不匹配' });
    await expect(withSignIn(() => Promise.reject(other), env)).rejects.toBe(other);
    await expect(withSignIn(() => Promise.resolve(5), env)).resolves.toBe(5);
  });

  it('works with the real client’s 401 envelope', async () => {
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify({ error: { code: 'CITIZEN_AUTH_REQUIRED', message: 'x', details: { authUrl: '/oauth/start?return=%2Fh5%2F&scope=base' } } }), { status: 401 }),
    );
    const assign = vi.fn();
    void withSignIn(() => apiGet('/api/h5/vehicles'), { currentPath: () => '/h5/vehicles', assign });
    await vi.waitFor(() => expect(assign).toHaveBeenCalledWith('/oauth/start?return=%2Fh5%2Fvehicles&scope=base'));
  });
});
