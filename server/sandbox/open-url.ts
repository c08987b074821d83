/**
 * Where the phone's in-app browser goes when the user opens a link (menu VIEW, template card,
 * news article). WeChat's own authorize URL is served by the sandbox instead; the portal's H5
 * pages are entered through the portal's OAuth start, as a menu item on the real platform would
 * typically do; anything else opens as is.
 */
export function resolveOpenUrl(input: {
  url: string;
  openid: string;
  publicBaseUrl: string;
  openBase: string;
  portalEntryUrl?: (page: URL) => string;
}): string {
  let u: URL;
  try {
    u = new URL(input.url);
  } catch {
    return input.url;
  }
  if (u.hostname === 'open.weixin.qq.com' && u.pathname === '/connect/oauth2/authorize') {
    const params = new URLSearchParams(u.search);
    // The phone knows who is holding it; the authorize page does not need to ask.
    params.set('sandbox_user', input.openid);
    return `${input.openBase}/connect/oauth2/authorize?${params.toString()}${u.hash}`;
  }
  const portal = new URL(input.publicBaseUrl);
  if (u.origin === portal.origin && (u.pathname === '/h5' || u.pathname.startsWith('/h5/'))) {
    if (input.portalEntryUrl) return input.portalEntryUrl(u);
    return `${input.publicBaseUrl}/oauth/start?${new URLSearchParams({ return: `${u.pathname}${u.search}${u.hash}` }).toString()}`;
  }
  return input.url;
}
