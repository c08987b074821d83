import { describe, expect, it } from 'vitest';
import { DEFAULT_MENU } from '../../../db/seed/default-menu';
import { AppError } from '../../../server/http/errors';
import { utf8Bytes, type MenuModel } from '../../../server/menu/model';
import { menuProblems, parseMatchRule, parseMenuShape, validateMenu, type MenuProblem } from '../../../server/menu/validation';

/** Problems of any input (shape first, then rules). */
function problemsOf(input: unknown, stage: 'model' | 'payload' = 'model'): MenuProblem[] {
  const shape = parseMenuShape(input);
  return shape.menu ? menuProblems(shape.menu, { stage }) : shape.problems;
}

const click = (name: string, key: string) => ({ type: 'click' as const, name, key });
const view = (name: string, url: string, key?: string) => ({ type: 'view' as const, name, url, ...(key ? { key } : {}) });

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('byte counting', () => {
  it('counts UTF-8 bytes: a CJK character is 3', () => {
    expect(utf8Bytes('违法查询')).toBe(12);
    expect(utf8Bytes('abc')).toBe(3);
    expect(utf8Bytes('查询A')).toBe(7);
    expect(utf8Bytes('🚗')).toBe(4);
  });

  it('top-level names: 16 bytes pass (5 CJK + 1 ASCII), 17 fail', () => {
    expect(problemsOf({ button: [click('交通违法查A', 'a')] })).toEqual([]); // 5×3 + 1 = 16
    const p = problemsOf({ button: [click('交通违法查AB', 'a')] }); // 17
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ rule: 'name_bytes', path: 'button.0.name', button: '交通违法查AB' });
    expect(p[0]!.message).toBe('按钮“交通违法查AB”：名称 17 字节，超过上限 16 字节（一个汉字占 3 字节）');
  });

  it('sub-button names: 60 bytes pass (20 CJK), 61 fail; the error names parent › child', () => {
    const ok = '预'.repeat(20);
    expect(problemsOf({ button: [{ name: '办事服务', sub_button: [click(ok, 'k')] }] })).toEqual([]);
    const long = `预约办理${'预'.repeat(18)}`; // 22 CJK = 66 bytes
    const p = problemsOf({ button: [{ name: '办事服务', sub_button: [click('指南', 'g'), click(long, 'k')] }] });
    expect(p).toEqual([
      {
        path: 'button.0.sub_button.1.name',
        button: `办事服务 › ${long}`,
        rule: 'name_bytes',
        message: `按钮“办事服务 › ${long}”：名称 66 字节，超过上限 60 字节（一个汉字占 3 字节）`,
      },
    ]);
  });

  it('the brief\'s example message: 预约办理 with a 68-byte name', () => {
    const name = `预约办理${'x'.repeat(56)}`; // 12 + 56 = 68
    const err = thrown(() => validateMenu({ button: [{ name: '办事服务', sub_button: [view(name, '/h5/appointments')] }] }));
    expect(err.code).toBe('MENU_INVALID');
    expect(err.status).toBe(400);
    expect(err.message).toBe(`按钮“办事服务 › ${name}”：名称 68 字节，超过上限 60 字节（一个汉字占 3 字节）`);
    expect(err.details).toEqual([expect.objectContaining({ path: 'button.0.sub_button.0.name', rule: 'name_bytes', button: `办事服务 › ${name}` })]);
  });

  it('key ≤ 128 bytes and url ≤ 1024 bytes, counted in bytes', () => {
    expect(problemsOf({ button: [click('a', 'k'.repeat(128))] })).toEqual([]);
    expect(problemsOf({ button: [click('a', '键'.repeat(43))] })).toMatchObject([{ rule: 'key_bytes', message: '按钮“a”：key 129 字节，超过上限 128 字节' }]);
    const url = `https://example.gov.cn/${'p'.repeat(1024 - 23)}`;
    expect(utf8Bytes(url)).toBe(1024);
    expect(problemsOf({ button: [view('a', url)] })).toEqual([]);
    expect(problemsOf({ button: [view('a', `${url}x`)] })).toMatchObject([{ rule: 'url_bytes', message: '按钮“a”：网址 1025 字节，超过上限 1024 字节' }]);
  });
});

describe('structure rules', () => {
  it('1–3 top-level buttons', () => {
    expect(problemsOf({ button: [] })).toMatchObject([{ rule: 'top_count', button: null, message: '菜单：至少需要 1 个一级菜单' }]);
    const four = ['a', 'b', 'c', 'd'].map((n) => click(n, n));
    expect(problemsOf({ button: four })).toMatchObject([{ rule: 'top_count', message: '菜单：有 4 个一级菜单，最多 3 个' }]);
  });

  it('1–5 sub-buttons', () => {
    const six = ['1', '2', '3', '4', '5', '6'].map((n) => click(n, `k${n}`));
    expect(problemsOf({ button: [{ name: '互动', sub_button: six }] })).toMatchObject([{ rule: 'sub_count', message: '按钮“互动”：有 6 个子菜单，最多 5 个' }]);
    expect(problemsOf({ button: [{ name: '互动', sub_button: [] }] })).toMatchObject([{ rule: 'sub_count', path: 'button.0.sub_button' }]);
  });

  it('an empty sub_button list on a typed button is a leaf (as menu/get reports leaves)', () => {
    expect(problemsOf({ button: [{ ...click('指南', 'g'), sub_button: [] }] })).toEqual([]);
  });

  it('a parent with sub-buttons carries no type', () => {
    const p = problemsOf({ button: [{ name: '办事', type: 'click', key: 'x', sub_button: [click('a', 'a')] }] });
    expect(p).toMatchObject([{ rule: 'parent_has_action', path: 'button.0.type', message: '按钮“办事”：已有子菜单，不能再设置类型“click”' }]);
    expect(problemsOf({ button: [{ name: '办事', url: 'https://x.cn', sub_button: [click('a', 'a')] }] })).toMatchObject([{ rule: 'parent_has_action' }]);
  });

  it('menus are two levels deep', () => {
    const p = problemsOf({ button: [{ name: '办事', sub_button: [{ name: '预约', sub_button: [click('a', 'a')] }] }] });
    expect(p).toMatchObject([{ rule: 'nesting', button: '办事 › 预约', path: 'button.0.sub_button.0.sub_button' }]);
  });

  it('names are required; a nameless button is named by position', () => {
    const p = problemsOf({ button: [click('查询', 'a'), { name: ' ', sub_button: [click('', 'b')] }] });
    expect(p).toEqual([
      { path: 'button.1.name', button: '#2', rule: 'name_required', message: '按钮“#2”：名称为空' },
      { path: 'button.1.sub_button.0.name', button: '#2 › #1', rule: 'name_required', message: '按钮“#2 › #1”：名称为空' },
    ]);
  });

  it('unknown fields are refused, naming the button', () => {
    expect(problemsOf({ button: [{ ...click('a', 'a'), colour: 'red' }] })).toMatchObject([{ rule: 'shape', button: 'a', message: '按钮“a”：不认识的字段“colour”' }]);
    expect(problemsOf({ buttons: [] })[0]).toMatchObject({ rule: 'shape', button: null });
    expect(problemsOf('not a menu')[0]).toMatchObject({ rule: 'shape' });
  });
});

describe('messages are for staff: Chinese, with the rule code kept stable', () => {
  it('no English sentence reaches the editor, whatever the problem', () => {
    const many: MenuProblem[] = [
      ...problemsOf('not a menu'),
      ...problemsOf({ buttons: [] }),
      ...problemsOf({ button: [{ name: 1, type: 'click', key: 'k' }] }),
      ...problemsOf({ button: [{ name: 'a', sub_button: [{ name: 'b', type: 'click', key: 'k', sub_button: [] }] }] }),
      ...problemsOf({ button: [{ ...click('a', 'a'), colour: 'red', size: 2 }] }),
      ...problemsOf({ button: [] }),
      ...problemsOf({ button: [{ name: '', type: 'click', key: 'x'.repeat(129) }, { name: '互动', type: 'click', key: 'k', sub_button: [{ name: 'b' }] }, { name: 'c', sub_button: [] }, click('d', 'e')] }),
      ...problemsOf({ button: [view('a', 'ftp://x', 'bad/key'), view('b', `https://x.cn/${'x'.repeat(1100)}`), { name: 'c', type: 'miniprogram' }, click('e', 'k'), click('f', 'k')].slice(0, 3) }),
      ...problemsOf({ button: [view('a', '/h5/x')] }, 'payload'),
      ...parseMatchRule(null).problems,
      ...parseMatchRule({ sex: '1', group_id: '2', tag_id: 'x', client_platform_type: '9' }).problems,
      ...parseMatchRule({}).problems,
    ];
    const rules = new Set(many.map((p) => p.rule));
    // the sample covers (nearly) every rule, so a new English message would be caught
    expect(rules.size).toBeGreaterThanOrEqual(15);
    for (const p of many) {
      expect(p.message, p.rule).toMatch(/^(按钮“[^”]*”|菜单|匹配规则)：\S/);
      expect(p.message, p.rule).toMatch(/[\u4e00-\u9fff].*[\u4e00-\u9fff]/);
      // field names (key, url, tag_id …) may appear; two English words in a row would be a sentence
      expect(p.message, p.rule).not.toMatch(/\b[A-Za-z]{2,} [A-Za-z]{2,}\b/);
    }
  });
});

describe('types and their fields', () => {
  it('allowed types only, named', () => {
    const p = problemsOf({ button: [{ name: '查询', sub_button: [{ name: '违法', type: 'website', url: 'https://x.cn' }] }] });
    expect(p).toMatchObject([{ rule: 'type_allowed', button: '查询 › 违法', message: '按钮“查询 › 违法”：类型“website”不是公众号菜单支持的按钮类型' }]);
  });

  it('a leaf needs a type', () => {
    expect(problemsOf({ button: [{ name: '查询' }] })).toMatchObject([{ rule: 'type_required', path: 'button.0.type' }]);
  });

  it.each([
    ['click', {}, 'key'],
    ['scancode_push', {}, 'key'],
    ['scancode_waitmsg', {}, 'key'],
    ['pic_sysphoto', {}, 'key'],
    ['pic_photo_or_album', {}, 'key'],
    ['pic_weixin', {}, 'key'],
    ['location_select', {}, 'key'],
    ['view', {}, 'url'],
    ['media_id', {}, 'media_id'],
    ['view_limited', {}, 'media_id'],
    ['article_id', {}, 'article_id'],
    ['article_view_limited', {}, 'article_id'],
    ['miniprogram', { appid: 'wx1234567890abcdef', url: 'https://x.cn' }, 'pagepath'],
    ['miniprogram', { pagepath: 'pages/index', url: 'https://x.cn' }, 'appid'],
    ['miniprogram', { appid: 'wx1234567890abcdef', pagepath: 'pages/index' }, 'url'],
  ] as const)('%s needs %s', (type, extra, missing) => {
    const p = problemsOf({ button: [{ name: 'b', type, ...extra }] });
    expect(p).toEqual([{ path: `button.0.${missing}`, button: 'b', rule: 'field_required', message: `按钮“b”：类型 ${type} 必须填写 ${missing}` }]);
  });

  it('every type passes with its fields', () => {
    const menu = {
      button: [
        { name: '一', sub_button: [click('c', 'c'), { type: 'scancode_push', name: 's', key: 's' }, { type: 'location_select', name: 'l', key: 'l' }, view('v', '/h5/x'), { type: 'miniprogram', name: 'm', appid: 'wx1234567890abcdef', pagepath: 'p', url: 'https://x.cn' }] },
        { name: '二', sub_button: [{ type: 'media_id', name: 'm', media_id: 'M' }, { type: 'view_limited', name: 'vl', media_id: 'M2' }, { type: 'article_id', name: 'a', article_id: 'A' }, { type: 'article_view_limited', name: 'av', article_id: 'A2' }, { type: 'pic_weixin', name: 'p', key: 'p' }] },
        { name: '三', sub_button: [{ type: 'pic_sysphoto', name: 'p1', key: 'p1' }, { type: 'pic_photo_or_album', name: 'p2', key: 'p2' }, { type: 'scancode_waitmsg', name: 'w', key: 'w' }] },
      ],
    };
    expect(problemsOf(menu)).toEqual([]);
  });

  it('keys are unique across the menu, and the error says where else', () => {
    const p = problemsOf({ button: [{ name: '互动', sub_button: [click('指南', 'guide'), click('联系', 'guide')] }, view('评价', '/h5/ratings', 'guide')] });
    expect(p).toEqual([
      { path: 'button.0.sub_button.1.key', button: '互动 › 联系', rule: 'key_unique', message: '按钮“互动 › 联系”：key“guide”已被“互动 › 指南”使用' },
      { path: 'button.1.key', button: '评价', rule: 'key_unique', message: '按钮“评价”：key“guide”已被“互动 › 指南”使用' },
    ]);
  });

  it('a view button\'s attribution key must be URL- and report-safe', () => {
    expect(problemsOf({ button: [view('评价', '/h5/ratings', '评价')] })).toMatchObject([{ rule: 'key_format' }]);
    expect(problemsOf({ button: [view('评价', '/h5/ratings', 'ratings.v2')] })).toEqual([]);
  });

  it('view URLs: http(s) or a portal page path; other forms are refused', () => {
    expect(problemsOf({ button: [view('a', '/h5/violations?x=1')] })).toEqual([]);
    expect(problemsOf({ button: [view('a', 'https://www.gov.cn/')] })).toEqual([]);
    for (const bad of ['/admin/x', 'javascript:alert(1)', 'ftp://x.cn/', 'violations']) {
      expect(problemsOf({ button: [view('a', bad)] })).toMatchObject([{ rule: 'url_format' }]);
    }
    // In the JSON about to be sent, a path is no longer acceptable.
    expect(problemsOf({ button: [view('a', '/h5/violations')] }, 'payload')).toMatchObject([{ rule: 'url_format', message: '按钮“a”：网址必须是 http(s) 地址' }]);
  });

  it('reports every problem at once, and the thrown message counts the rest', () => {
    const err = thrown(() => validateMenu({ button: [{ name: '交通违法查询服务', sub_button: [{ name: '违法', type: 'click' }, view('记分', '')] }] }));
    expect((err.details as MenuProblem[]).map((d) => d.rule)).toEqual(['name_bytes', 'field_required', 'field_required']);
    expect(err.message).toBe('按钮“交通违法查询服务”：名称 24 字节，超过上限 16 字节（一个汉字占 3 字节）（另有 2 个问题）');
  });

  it('the seeded default menu is valid', () => {
    expect(problemsOf(DEFAULT_MENU)).toEqual([]);
    const model: MenuModel = validateMenu(DEFAULT_MENU);
    expect(model.button.map((b) => b.name)).toEqual(['查询服务', '办事服务', '互动服务']);
  });
});

describe('conditional match rules', () => {
  it('tag_id and client_platform_type, numbers normalised to strings', () => {
    expect(parseMatchRule({ tag_id: 101 })).toEqual({ rule: { tag_id: '101' }, problems: [] });
    expect(parseMatchRule({ client_platform_type: '2', tag_id: '7' })).toEqual({ rule: { client_platform_type: '2', tag_id: '7' }, problems: [] });
  });

  it('privacy fields are refused like the platform does (65320)', () => {
    const r = parseMatchRule({ sex: '1', tag_id: '2' });
    expect(r.rule).toBeNull();
    expect(r.problems).toMatchObject([{ rule: 'matchrule_privacy', path: 'matchRule.sex' }]);
    expect(r.problems[0]!.message).toContain('65320');
  });

  it('empty, unknown or malformed rules are refused', () => {
    expect(parseMatchRule({}).problems).toMatchObject([{ rule: 'matchrule_empty' }]);
    expect(parseMatchRule(null).problems).toMatchObject([{ rule: 'matchrule_empty' }]);
    expect(parseMatchRule({ group_id: '1' }).problems).toMatchObject([{ rule: 'matchrule_field' }]);
    expect(parseMatchRule({ client_platform_type: '4' }).problems).toMatchObject([{ rule: 'matchrule_value' }]);
    expect(parseMatchRule({ tag_id: 'vip' }).problems).toMatchObject([{ rule: 'matchrule_value' }]);
  });
});
