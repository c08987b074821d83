import { createHash } from 'node:crypto';

/**
 * Avatars for simulated users, served by the sandbox itself (the phone emulator works
 * offline). The URL carries only a hue and one character, never the openid, and ends with a
 * size segment like WeChat's headimgurl (0/46/64/96/132).
 */
export function avatarUrl(baseUrl: string, seed: string, nickname: string): string {
  const hue = parseInt(createHash('sha1').update(seed).digest('hex').slice(0, 4), 16) % 360;
  const first = [...nickname.trim()][0] ?? '微';
  return `${baseUrl}/sandbox/avatar/${hue}-${first.codePointAt(0)?.toString(16) ?? '5fae'}/132`;
}

export const GREY_AVATAR_SPEC = 'grey';

/** The SVG for `/sandbox/avatar/:spec/:size`, or undefined for a malformed spec. */
export function avatarSvg(spec: string, size: string): string | undefined {
  const px = ['0', '46', '64', '96', '132'].includes(size) ? (size === '0' ? 640 : Number(size)) : undefined;
  if (px === undefined) return undefined;
  let fill = '#c8c8c8';
  let char = '';
  if (spec !== GREY_AVATAR_SPEC) {
    const m = /^(\d{1,3})-([0-9a-f]{1,6})$/.exec(spec);
    if (!m) return undefined;
    const hue = Number(m[1]) % 360;
    const cp = parseInt(m[2] ?? '', 16);
    if (cp < 0x20 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    fill = `hsl(${hue},45%,55%)`;
    char = String.fromCodePoint(cp).replace(/[<>&"']/g, '');
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 100 100">` +
    `<rect width="100" height="100" rx="8" fill="${fill}"/>` +
    `<text x="50" y="50" dy=".35em" text-anchor="middle" font-size="48" fill="#fff" font-family="sans-serif">${char}</text></svg>`
  );
}
