/**
 * Plate type codes (GA 24.7) and plate numbers (GA 36): normalisation and validation of what a
 * citizen or an agency file gives us. Pure functions; messages are Chinese and say what is wrong.
 */

export const PLATE_TYPES = {
  '01': '大型汽车',
  '02': '小型汽车',
  '03': '使馆汽车',
  '04': '领馆汽车',
  '05': '境外汽车',
  '06': '外籍汽车',
  '07': '普通摩托车',
  '08': '轻便摩托车',
  '09': '使馆摩托车',
  '10': '领馆摩托车',
  '11': '境外摩托车',
  '12': '外籍摩托车',
  '13': '低速车',
  '14': '拖拉机',
  '15': '挂车',
  '16': '教练汽车',
  '17': '教练摩托车',
  '18': '试验汽车',
  '19': '试验摩托车',
  '20': '临时入境汽车',
  '21': '临时入境摩托车',
  '22': '临时行驶车',
  '23': '警用汽车',
  '24': '警用摩托',
  '25': '原农机号牌',
  '26': '香港入出境车',
  '27': '澳门入出境车',
  '31': '武警号牌',
  '32': '军队号牌',
  '51': '大型新能源汽车',
  '52': '小型新能源汽车',
  '99': '其他号牌',
} as const;

export type PlateType = keyof typeof PLATE_TYPES;

/**
 * Non-standard codes seen in some local systems, mapped to the standard code we store.
 * Assumption (REFERENCE.md names 81/82 without their meaning): 81 = small new-energy,
 * 82 = large new-energy, following the order in which those systems added them.
 */
export const NON_STANDARD_PLATE_TYPES: Readonly<Record<string, PlateType>> = { '81': '52', '82': '51' };

export const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const FIRST_CHARS = `${PROVINCES}使领`;
/** what may end an ordinary plate instead of its fifth serial character */
const SUFFIX_CHARS = '挂学警港澳';
const SERIAL_CHAR = /^[0-9A-HJ-NP-Z]$/;

export type PlateResult<T> = { ok: true; value: T } | { ok: false; message: string };

const isPlateType = (v: string): v is PlateType => Object.hasOwn(PLATE_TYPES, v);

/** '2', '02', ' 02 ', '８２' → standard two-digit code, or a message. */
export function normalisePlateType(input: string): PlateResult<PlateType> {
  const v = toHalfWidth(input).trim();
  if (v === '') return { ok: false, message: '请选择号牌种类' };
  if (!/^\d{1,2}$/.test(v)) return { ok: false, message: '号牌种类应为两位数字代码，如 02（小型汽车）' };
  const code = v.padStart(2, '0');
  const mapped = NON_STANDARD_PLATE_TYPES[code] ?? code;
  if (!isPlateType(mapped)) return { ok: false, message: `号牌种类代码 ${code} 不存在，请从列表中选择` };
  return { ok: true, value: mapped };
}

export function plateTypeName(code: string): string {
  return isPlateType(code) ? PLATE_TYPES[code] : '未知号牌';
}

/** Full-width ASCII (！ to ～) and the ideographic space become their half-width forms. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/**
 * Trim, full-width → half-width, upper-case, drop the separators people type (space, ·, -),
 * then check the GA 36 shape. I and O in the serial (either case) are rejected, never changed.
 */
export function normalisePlateNo(input: string, plateType?: PlateType): PlateResult<string> {
  const raw = toHalfWidth(input).trim();
  if (raw === '') return { ok: false, message: '请输入号牌号码' };
  const v = raw.replace(/[\s·•.\-]/g, '').toUpperCase();
  const chars = [...v];
  const first = chars[0] ?? '';
  if (!FIRST_CHARS.includes(first)) {
    return { ok: false, message: `号牌号码第1位应为省、自治区、直辖市简称（如“粤”“京”），“${first}”不是` };
  }
  if (chars.length < 2 || !/^[A-Z]$/.test(chars[1] ?? '')) {
    return { ok: false, message: '号牌号码第2位应为发牌机关代号字母 A–Z' };
  }
  const serial = chars.slice(2);
  if (serial.some((c) => c === 'I' || c === 'O')) {
    return { ok: false, message: '号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0' };
  }
  if (chars.length !== 7 && chars.length !== 8) {
    return { ok: false, message: `号牌号码应为7位（新能源汽车8位），您输入了${chars.length}位` };
  }
  if (chars.length === 8) {
    const s = serial.join('');
    const small = /^[DF][0-9A-HJ-NP-Z]\d{4}$/.test(s);
    const large = /^\d{5}[DF]$/.test(s);
    if (!small && !large) {
      return { ok: false, message: '新能源号牌格式不正确：小型车为 D 或 F 后接1位字母或数字和4位数字（如 粤BD12345），大型车为5位数字后接 D 或 F（如 粤B12345D）' };
    }
    if (plateType === '52' && !small) return { ok: false, message: '小型新能源汽车号牌第3位应为 D 或 F，后接1位字母或数字和4位数字' };
    if (plateType === '51' && !large) return { ok: false, message: '大型新能源汽车号牌应为5位数字后接 D 或 F' };
    return { ok: true, value: v };
  }
  if (plateType === '51' || plateType === '52') {
    return { ok: false, message: '新能源汽车号牌应为8位，请核对号牌种类或号牌号码' };
  }
  for (let i = 0; i < 5; i++) {
    const c = serial[i] ?? '';
    if (SERIAL_CHAR.test(c)) continue;
    if (i === 4 && SUFFIX_CHARS.includes(c)) continue;
    if (i === 4) return { ok: false, message: `号牌号码最后1位应为数字、字母或“挂学警港澳”之一，“${c}”不可用` };
    return { ok: false, message: `号牌号码第${i + 3}位应为数字或字母，“${c}”不可用` };
  }
  return { ok: true, value: v };
}

/** Shown to citizens: province, letter, then the serial with its middle hidden (粤B·8**M7). */
export function maskPlateNo(plateNo: string): string {
  const chars = [...plateNo];
  if (chars.length < 5) return '*'.repeat(chars.length);
  const head = chars.slice(0, 2).join('');
  const serial = chars.slice(2);
  const keepEnd = 2;
  return `${head}·${serial[0] ?? ''}${'*'.repeat(Math.max(0, serial.length - 1 - keepEnd))}${serial.slice(-keepEnd).join('')}`;
}

/** Proof suffix: last 6 characters of a VIN or engine number, normalised like a plate. */
export function normaliseProofSuffix(input: string): PlateResult<string> {
  const v = toHalfWidth(input).trim().toUpperCase();
  if (!/^[0-9A-Z]{6}$/.test(v)) return { ok: false, message: '请输入车辆识别代号（车架号）或发动机号的后6位（字母或数字）' };
  return { ok: true, value: v };
}
