import { describe, expect, it } from 'vitest';
import { csvCell, renderCsv } from '../../../server/reports/csv';

describe('CSV cells', () => {
  it('neutralises every formula start and quotes per RFC 4180', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+86 10')).toBe("'+86 10");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('两行\n文字')).toBe('"两行\n文字"');
    expect(csvCell('违法查询')).toBe('违法查询');
    expect(csvCell(-3)).toBe('-3'); // numbers are data, not formulas
    expect(csvCell(null)).toBe('');
  });

  it('suppresses rows about 1..k-1 people, keeps zero and k', () => {
    const table = {
      headers: ['词', '次数'],
      rows: [
        { cells: ['a', 4], count: 4, figures: [1], texts: [0] },
        { cells: ['b', 5], count: 5, figures: [1], texts: [0] },
        { cells: ['c', 0], count: 0, figures: [1], texts: [0] },
      ],
    };
    expect(renderCsv(table, 5)).toBe('\uFEFF词,次数\r\n（已隐藏）,<5\r\nb,5\r\nc,0\r\n');
  });
});
