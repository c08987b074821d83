import { describe, expect, it } from 'vitest';
import { maskPlateNo, normalisePlateNo, normalisePlateType, normaliseProofSuffix } from '../../../server/violations/plates';

describe('plate type codes (GA 24.7)', () => {
  it.each([
    ['02', '02'],
    ['2', '02'],
    [' 01 ', '01'],
    ['０２', '02'],
    ['52', '52'],
    ['81', '52'], // non-standard → standard
    ['82', '51'],
    ['99', '99'],
  ])('%j → %s', (input, code) => {
    expect(normalisePlateType(input)).toEqual({ ok: true, value: code });
  });

  it.each([
    ['', '请选择号牌种类'],
    ['ab', '号牌种类应为两位数字代码，如 02（小型汽车）'],
    ['123', '号牌种类应为两位数字代码，如 02（小型汽车）'],
    ['30', '号牌种类代码 30 不存在，请从列表中选择'],
    ['00', '号牌种类代码 00 不存在，请从列表中选择'],
  ])('%j is refused: %s', (input, message) => {
    expect(normalisePlateType(input)).toEqual({ ok: false, message });
  });
});

describe('plate numbers (GA 36)', () => {
  it.each([
    ['粤B8K2M7', undefined, '粤B8K2M7'],
    ['  粤b8k2m7 ', undefined, '粤B8K2M7'], // trim + upper-case
    ['粤Ｂ８Ｋ２Ｍ７', undefined, '粤B8K2M7'], // full-width → half-width
    ['粤B·8K2M7', undefined, '粤B8K2M7'], // separator dropped
    ['京A 12345', '02', '京A12345'],
    ['沪C1234挂', '15', '沪C1234挂'],
    ['粤B7J25学', '16', '粤B7J25学'],
    ['粤Z1234港', '26', '粤Z1234港'],
    ['粤Z1234澳', '27', '粤Z1234澳'],
    ['苏E1234警', '23', '苏E1234警'],
    ['使A1234Z', '03', '使A1234Z'],
    ['粤BD12345', '52', '粤BD12345'],
    ['粤BFA1234', '52', '粤BFA1234'],
    ['粤B12345D', '51', '粤B12345D'],
    ['粤BD12345', undefined, '粤BD12345'],
  ] as const)('%j (type %s) → %s', (input, type, value) => {
    expect(normalisePlateNo(input, type)).toEqual({ ok: true, value });
  });

  it.each([
    ['', undefined, '请输入号牌号码'],
    ['AB12345', undefined, '号牌号码第1位应为省、自治区、直辖市简称（如“粤”“京”），“A”不是'],
    ['港B12345', undefined, '号牌号码第1位应为省、自治区、直辖市简称（如“粤”“京”），“港”不是'],
    ['粤812345', undefined, '号牌号码第2位应为发牌机关代号字母 A–Z'],
    ['粤B1234O', undefined, '号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0'],
    ['粤B1234o', undefined, '号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0'],
    ['粤Bi2345', undefined, '号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0'],
    ['粤BD1I345', '52', '号牌号码序号中不使用字母 I 和 O，请核对是否为数字 1 或 0'],
    ['粤B1234', undefined, '号牌号码应为7位（新能源汽车8位），您输入了6位'],
    ['粤B1234567', undefined, '号牌号码应为7位（新能源汽车8位），您输入了9位'],
    ['粤B12挂45', undefined, '号牌号码第5位应为数字或字母，“挂”不可用'],
    ['粤B1234领', undefined, '号牌号码最后1位应为数字、字母或“挂学警港澳”之一，“领”不可用'],
    ['粤BA12345', undefined, '新能源号牌格式不正确：小型车为 D 或 F 后接1位字母或数字和4位数字（如 粤BD12345），大型车为5位数字后接 D 或 F（如 粤B12345D）'],
    ['粤BD1234A', undefined, '新能源号牌格式不正确：小型车为 D 或 F 后接1位字母或数字和4位数字（如 粤BD12345），大型车为5位数字后接 D 或 F（如 粤B12345D）'],
    ['粤B12345D', '52', '小型新能源汽车号牌第3位应为 D 或 F，后接1位字母或数字和4位数字'],
    ['粤BD12345', '51', '大型新能源汽车号牌应为5位数字后接 D 或 F'],
    ['粤B8K2M7', '52', '新能源汽车号牌应为8位，请核对号牌种类或号牌号码'],
  ] as const)('%j (type %s) is refused: %s', (input, type, message) => {
    expect(normalisePlateNo(input, type)).toEqual({ ok: false, message });
  });

  it('masks the middle of the serial', () => {
    expect(maskPlateNo('粤B8K2M7')).toBe('粤B·8**M7');
    expect(maskPlateNo('粤BD12345')).toBe('粤B·D***45');
  });

  it('proof suffix: 6 letters or digits, upper-cased', () => {
    expect(normaliseProofSuffix(' 12345a ')).toEqual({ ok: true, value: '12345A' });
    expect(normaliseProofSuffix('12345').ok).toBe(false);
    expect(normaliseProofSuffix('12 345').ok).toBe(false);
  });
});
