import { isCivilDate } from '../calendar/civil-date';
import { toHalfWidth } from '../violations/plates';

/**
 * Mainland resident identity card numbers (GB 11643): 6-digit area code, 8-digit birth date,
 * 3-digit sequence, ISO 7064 MOD 11-2 check character (0–9 or X).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export type IdResult = { ok: true; value: string } | { ok: false; message: string };

/** Trim, half-width, upper-case x; then shape, birth date and checksum, with a message (to follow the field's label) saying which failed. */
export function normaliseIdNumber(input: string): IdResult {
  const v = toHalfWidth(input).replace(/\s/g, '').toUpperCase();
  if (!/^\d{17}[\dX]$/.test(v)) return { ok: false, message: '应为18位居民身份证号码（最后一位可为X）' };
  const birth = `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`;
  const year = Number(v.slice(6, 10));
  if (!isCivilDate(birth) || year < 1900) return { ok: false, message: '中的出生日期不正确' };
  if (idNumberCheckChar(v.slice(0, 17)) !== v[17]) return { ok: false, message: '校验位不正确，请核对' };
  return { ok: true, value: v };
}

/** 440301********1234 style: area code and last four kept. */
export function maskIdNumber(v: string): string {
  return v.length < 10 ? '*'.repeat(v.length) : `${v.slice(0, 6)}${'*'.repeat(v.length - 10)}${v.slice(-4)}`;
}

/** Mainland mobile numbers: 11 digits starting 13–19; +86/0086 and separators are dropped. */
export function normaliseMobile(input: string): IdResult {
  let v = toHalfWidth(input).replace(/[\s\-()]/g, '');
  if (v.startsWith('+86')) v = v.slice(3);
  else if (v.startsWith('0086')) v = v.slice(4);
  if (!/^1[3-9]\d{9}$/.test(v)) return { ok: false, message: '应为11位中国大陆手机号码' };
  return { ok: true, value: v };
}

/** 138****5678 */
export function maskMobile(v: string): string {
  return v.length === 11 ? `${v.slice(0, 3)}****${v.slice(-4)}` : '*'.repeat(v.length);
}
