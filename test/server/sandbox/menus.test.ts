import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_OPENID, startSandbox, type SandboxTest } from './support';

/** Custom menus: the platform's checks and error codes (PROTOCOL §4). */
let s: SandboxTest;
let token: string;
beforeAll(async () => {
  s = await startSandbox();
});
beforeEach(async () => {
  s.platform.reset();
  token = await s.token();
});
afterAll(() => s.close());

const post = (path: string, body: unknown) => s.http.post(`/sandbox/cgi-bin/${path}`).query({ access_token: token }).send(body as object);
const get = (path: string) => s.http.get(`/sandbox/cgi-bin/${path}`).query({ access_token: token });

const MENU = {
  button: [
    { type: 'click', name: '违法查询', key: 'VIOLATIONS', sub_button: [] },
    {
      name: '办事',
      sub_button: [
        { type: 'view', name: '预约办理', url: 'https://portal.example.test/h5/appointments' },
        { type: 'click', name: '办理进度', key: 'PROGRESS' },
      ],
    },
  ],
};

describe('menu/create, get, delete', () => {
  it('publishes a menu and returns it with sub_button arrays everywhere', async () => {
    expect((await post('menu/create', MENU)).body).toEqual({ errcode: 0, errmsg: 'ok' });
    const got = (await get('menu/get')).body;
    expect(got.menu.button[0]).toEqual({ type: 'click', name: '违法查询', key: 'VIOLATIONS', sub_button: [] });
    expect(got.menu.button[1].sub_button[0]).toEqual({ type: 'view', name: '预约办理', url: 'https://portal.example.test/h5/appointments', sub_button: [] });
    expect(got.conditionalmenu).toBeUndefined();
    const self = (await get('get_current_selfmenu_info')).body;
    expect(self.is_menu_open).toBe(1);
    expect(self.selfmenu_info.button[1].sub_button.list).toHaveLength(2);
    expect((await get('menu/delete')).body.errcode).toBe(0);
    expect((await get('menu/get')).body.errcode).toBe(46003);
  });

  it('refuses an empty or malformed body like the platform', async () => {
    expect((await s.http.post('/sandbox/cgi-bin/menu/create').query({ access_token: token }).set('Content-Type', 'text/plain').send('')).body.errcode).toBe(44002);
    expect((await s.http.post('/sandbox/cgi-bin/menu/create').query({ access_token: token }).set('Content-Type', 'text/plain').send('{"button":')).body.errcode).toBe(47001);
    expect((await s.http.post('/sandbox/cgi-bin/menu/create').send(MENU)).body.errcode).toBe(41001);
  });

  const leaf = (b: object) => ({ button: [b] });
  const sub = (b: object) => ({ button: [{ name: '办事', sub_button: [b] }] });
  const cjk = (n: number) => '查'.repeat(n); // 3 bytes each

  it.each([
    ['no buttons', { button: [] }, 40016],
    ['four buttons', { button: Array.from({ length: 4 }, (_, i) => ({ type: 'click', name: `b${i}`, key: `k${i}` })) }, 40016],
    ['unknown type', leaf({ type: 'tap', name: 'x', key: 'k' }), 40017],
    ['leaf without type', leaf({ name: 'x' }), 40017],
    ['parent with a type', { button: [{ type: 'click', name: 'p', key: 'k', sub_button: [{ type: 'click', name: 's', key: 'k2' }] }] }, 40017],
    ['top name over 16 bytes (6 CJK)', leaf({ type: 'click', name: cjk(6), key: 'k' }), 40018],
    ['empty name', leaf({ type: 'click', name: '', key: 'k' }), 40018],
    ['click without key', leaf({ type: 'click', name: 'x' }), 40019],
    ['key over 128 bytes', leaf({ type: 'click', name: 'x', key: 'k'.repeat(129) }), 40019],
    ['view without url', leaf({ type: 'view', name: 'x' }), 40020],
    ['url over 1024 bytes', leaf({ type: 'view', name: 'x', url: `https://a.test/${'a'.repeat(1020)}` }), 40020],
    ['url not http(s)', leaf({ type: 'view', name: 'x', url: 'javascript:alert(1)' }), 40055],
    ['third level', sub({ name: 's', sub_button: [{ type: 'click', name: 't', key: 'k' }] }), 40022],
    ['six sub buttons', { button: [{ name: 'p', sub_button: Array.from({ length: 6 }, (_, i) => ({ type: 'click', name: `s${i}`, key: `k${i}` })) }] }, 40023],
    ['sub unknown type', sub({ type: 'tap', name: 's' }), 40024],
    ['sub name over 60 bytes (21 CJK)', sub({ type: 'click', name: cjk(21), key: 'k' }), 40025],
    ['sub key too long', sub({ type: 'scancode_push', name: 's', key: 'k'.repeat(129) }), 40026],
    ['sub url missing', sub({ type: 'view', name: 's' }), 40027],
    ['sub url not http(s)', sub({ type: 'view', name: 's', url: 'ftp://x.test/' }), 40054],
    ['media_id without media_id', leaf({ type: 'media_id', name: 'x' }), 40007],
    ['miniprogram without appid', leaf({ type: 'miniprogram', name: 'x', url: 'https://a.test/', pagepath: 'p' }), 40013],
  ])('%s → %i', async (_label, menu, errcode) => {
    expect((await post('menu/create', menu)).body.errcode).toBe(errcode);
  });

  it('accepts names at the byte limits (5 CJK top, 20 CJK sub)', async () => {
    const ok = { button: [{ name: cjk(5), sub_button: [{ type: 'click', name: cjk(20), key: 'k' }] }] };
    expect((await post('menu/create', ok)).body.errcode).toBe(0);
  });
});

describe('conditional menus', () => {
  const tagged = { ...MENU, button: [{ type: 'click', name: '老年人专区', key: 'ELDERLY' }] };

  it('needs a default menu, a non-empty rule and no privacy fields', async () => {
    expect((await post('menu/addconditional', { ...tagged, matchrule: { client_platform_type: '1' } })).body.errcode).toBe(65303);
    await post('menu/create', MENU);
    expect((await post('menu/addconditional', { ...tagged, matchrule: {} })).body.errcode).toBe(65304);
    expect((await post('menu/addconditional', { ...tagged, matchrule: { sex: '1' } })).body.errcode).toBe(65320);
    expect((await post('menu/addconditional', { ...tagged, matchrule: { tag_id: '999' } })).body.errcode).toBe(45159);
  });

  it('matches by the most recently applied tag, newest menu first; trymatch and the phone agree', async () => {
    await post('menu/create', MENU);
    const elderly = (await post('tags/create', { tag: { name: '长辈' } })).body.tag.id as number;
    const other = (await post('tags/create', { tag: { name: '驾校学员' } })).body.tag.id as number;
    const added = (await post('menu/addconditional', { ...tagged, matchrule: { tag_id: String(elderly) } })).body;
    expect(typeof added.menuid).toBe('string');

    expect((await post('menu/trymatch', { user_id: DEMO_OPENID })).body.button[0].key).toBe('VIOLATIONS');
    await post('tags/members/batchtagging', { openid_list: [DEMO_OPENID], tagid: elderly });
    expect((await post('menu/trymatch', { user_id: DEMO_OPENID })).body.button[0].key).toBe('ELDERLY');
    expect(s.platform.menuFor(DEMO_OPENID)).toMatchObject({ conditional: true, menuid: Number(added.menuid) });
    await post('tags/members/batchtagging', { openid_list: [DEMO_OPENID], tagid: other });
    expect((await post('menu/trymatch', { user_id: DEMO_OPENID })).body.button[0].key).toBe('VIOLATIONS');

    const all = (await get('menu/get')).body;
    expect(all.menu.menuid).toEqual(expect.any(Number));
    expect(all.conditionalmenu).toHaveLength(1);
    expect(all.conditionalmenu[0].matchrule).toEqual({ tag_id: String(elderly) });

    expect((await post('menu/delconditional', { menuid: added.menuid })).body.errcode).toBe(0);
    expect((await post('menu/delconditional', { menuid: added.menuid })).body.errcode).toBe(65301);
    expect((await post('menu/trymatch', { user_id: 'nobody-here' })).body.errcode).toBe(65302);
  });

  it('allows at most 3 link domains across conditional menus', async () => {
    await post('menu/create', MENU);
    const view = (host: string) => ({ type: 'view', name: host, url: `https://${host}/` });
    const body = { button: [view('a.test'), view('b.test'), view('c.test')], matchrule: { client_platform_type: '1' } };
    expect((await post('menu/addconditional', body)).body.menuid).toBeTruthy();
    expect((await post('menu/addconditional', { button: [view('d.test')], matchrule: { client_platform_type: '2' } })).body.errcode).toBe(65316);
  });

  it('deleting the default menu deletes the conditional ones', async () => {
    await post('menu/create', MENU);
    await post('menu/addconditional', { ...tagged, matchrule: { client_platform_type: '2' } });
    await get('menu/delete');
    expect((await post('menu/create', MENU)).body.errcode).toBe(0);
    expect((await get('menu/get')).body.conditionalmenu).toBeUndefined();
  });
});
