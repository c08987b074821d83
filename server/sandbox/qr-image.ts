import { createHash } from 'node:crypto';

/**
 * What `/cgi-bin/showqrcode` shows in the sandbox: a QR-like pattern (not scannable — scans
 * are simulated through the control API) with the scene value written under it.
 */
export function qrPlaceholderSvg(ticket: string, scene: string): string {
  const bits = createHash('sha256').update(ticket).digest();
  const n = 21;
  const cell = 10;
  let cells = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const finder = (x < 7 && y < 7) || (x >= n - 7 && y < 7) || (x < 7 && y >= n - 7);
      const i = y * n + x;
      const on = finder ? finderCell(x, y, n) : ((bits[i % bits.length] ?? 0) >> (i % 8)) & 1;
      if (on) cells += `<rect x="${20 + x * cell}" y="${20 + y * cell}" width="${cell}" height="${cell}"/>`;
    }
  }
  const label = scene.replace(/[<>&"']/g, '');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="250" height="290" viewBox="0 0 250 290">` +
    `<rect width="250" height="290" fill="#fff"/><g fill="#111">${cells}</g>` +
    `<text x="125" y="270" text-anchor="middle" font-size="13" font-family="sans-serif" fill="#555">沙箱二维码 · ${label}</text></svg>`
  );
}

/** The three corner squares that make it look like a QR code. */
function finderCell(x: number, y: number, n: number): number {
  const lx = x >= n - 7 ? x - (n - 7) : x;
  const ly = y >= n - 7 ? y - (n - 7) : y;
  const ring = Math.max(Math.abs(lx - 3), Math.abs(ly - 3));
  return ring === 3 || ring <= 1 ? 1 : 0;
}
