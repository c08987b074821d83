import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CITIZENS } from '../../../db/seed/demo-citizens';
import { DEMO_OPENID, startSandbox, type SandboxTest } from './support';

/** Users, tags and QR codes (PROTOCOL §8.1–8.3). */
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

const get = (path: string, query: object = {}) => s.http.get(`/sandbox/cgi-bin/${path}`).query({ access_token: token, ...query });
const post = (path: string, body: object) => s.http.post(`/sandbox/cgi-bin/${path}`).query({ access_token: token }).send(body);

describe('users', () => {
  it('knows the demo citizens as followers, without nickname or avatar (2021 rule)', async () => {
    const info = (await get('user/info', { openid: DEMO_OPENID, lang: 'zh_CN' })).body;
    expect(info).toMatchObject({ subscribe: 1, openid: DEMO_OPENID, subscribe_scene: 'ADD_SCENE_QR_CODE', qr_scene_str: 'office_hall', tagid_list: [] });
    expect(info.subscribe_time).toEqual(expect.any(Number));
    expect(info.nickname).toBeUndefined();
    expect((await get('user/info', {})).body.errcode).toBe(41009);
    expect((await get('user/info', { openid: 'oSbxUnknown00000000000000000' })).body.errcode).toBe(40003);
  });

  it('lists followers and batch-reads them', async () => {
    const list = (await get('user/get')).body;
    expect(list.total).toBe(DEMO_CITIZENS.length);
    expect(list.data.openid).toEqual(DEMO_CITIZENS.map((c) => c.openid));
    expect(list.next_openid).toBe(DEMO_CITIZENS.at(-1)!.openid);
    expect((await get('user/get', { next_openid: list.next_openid })).body).toEqual({ total: DEMO_CITIZENS.length, count: 0, next_openid: '' });
    const batch = (await post('user/info/batchget', { user_list: DEMO_CITIZENS.slice(0, 2).map((c) => ({ openid: c.openid, lang: 'zh_CN' })) })).body;
    expect(batch.user_info_list.map((u: { openid: string }) => u.openid)).toEqual(DEMO_CITIZENS.slice(0, 2).map((c) => c.openid));
    expect((await post('user/info/batchget', { user_list: [] })).body.errcode).toBe(40032);
  });

  it('sets a remark', async () => {
    expect((await post('user/info/updateremark', { openid: DEMO_OPENID, remark: '窗口常客' })).body.errcode).toBe(0);
    expect((await get('user/info', { openid: DEMO_OPENID })).body.remark).toBe('窗口常客');
  });
});

describe('tags', () => {
  it('creates, lists with counts, tags members, renames and deletes', async () => {
    const tag = (await post('tags/create', { tag: { name: '长辈' } })).body.tag;
    expect(tag).toEqual({ id: 100, name: '长辈' });
    expect((await post('tags/create', { tag: { name: '长辈' } })).body.errcode).toBe(45157);
    expect((await post('tags/create', { tag: { name: '长'.repeat(11) } })).body.errcode).toBe(45158);

    const two = DEMO_CITIZENS.slice(3).map((c) => c.openid);
    expect((await post('tags/members/batchtagging', { openid_list: two, tagid: tag.id })).body.errcode).toBe(0);
    const tags = (await get('tags/get')).body.tags;
    expect(tags).toContainEqual({ id: 2, name: '星标组', count: 0 });
    expect(tags).toContainEqual({ id: 100, name: '长辈', count: 2 });
    expect((await post('tags/getidlist', { openid: two[0]! })).body).toEqual({ tagid_list: [100] });
    expect((await post('user/tag/get', { tagid: tag.id, next_openid: '' })).body).toMatchObject({ count: 2, data: { openid: two } });

    expect((await post('tags/members/batchtagging', { openid_list: [], tagid: tag.id })).body.errcode).toBe(40032);
    expect((await post('tags/members/batchtagging', { openid_list: Array(51).fill(DEMO_OPENID), tagid: tag.id })).body.errcode).toBe(40032);
    expect((await post('tags/members/batchtagging', { openid_list: [DEMO_OPENID], tagid: 999 })).body.errcode).toBe(45159);
    expect((await post('tags/members/batchtagging', { openid_list: ['oSbxUnknown00000000000000000'], tagid: tag.id })).body.errcode).toBe(40003);

    expect((await post('tags/update', { tag: { id: tag.id, name: '老年人' } })).body.errcode).toBe(0);
    expect((await post('tags/update', { tag: { id: 2, name: 'x' } })).body.errcode).toBe(45058);
    expect((await post('tags/members/batchuntagging', { openid_list: [two[0]!], tagid: tag.id })).body.errcode).toBe(0);
    expect((await post('tags/delete', { tag: { id: tag.id } })).body.errcode).toBe(0);
    expect((await post('tags/getidlist', { openid: two[1]! })).body).toEqual({ tagid_list: [] });
    expect((await post('tags/delete', { tag: { id: tag.id } })).body.errcode).toBe(45159);
  });

  it('limits a user to 20 tags (45059)', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 21; i++) ids.push((await post('tags/create', { tag: { name: `t${i}` } })).body.tag.id);
    for (const id of ids.slice(0, 20)) await post('tags/members/batchtagging', { openid_list: [DEMO_OPENID], tagid: id });
    expect((await post('tags/members/batchtagging', { openid_list: [DEMO_OPENID], tagid: ids[20] })).body.errcode).toBe(45059);
  });
});

describe('qrcode/create', () => {
  it('makes temporary and permanent codes and checks the scene', async () => {
    const temp = (await post('qrcode/create', { action_name: 'QR_STR_SCENE', action_info: { scene: { scene_str: 'poster_metro' } } })).body;
    expect(temp.expire_seconds).toBe(60);
    const long = (await post('qrcode/create', { expire_seconds: 9_999_999, action_name: 'QR_SCENE', action_info: { scene: { scene_id: 7 } } })).body;
    expect(long.expire_seconds).toBe(2_592_000);
    const perm = (await post('qrcode/create', { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 100 } } })).body;
    expect(perm.expire_seconds).toBeUndefined();
    expect(perm.ticket).toBeTruthy();
    const img = await s.http.get('/sandbox/cgi-bin/showqrcode').query({ ticket: perm.ticket });
    expect(img.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(img.body.toString()).toContain('沙箱二维码 · 100');
    expect((await s.http.get('/sandbox/cgi-bin/showqrcode').query({ ticket: 'unknown' })).status).toBe(404);
    expect((await post('qrcode/create', { action_name: 'QR_LIMIT_SCENE', action_info: { scene: { scene_id: 100_001 } } })).body.errcode).toBe(47001);
    expect((await post('qrcode/create', { action_name: 'QR_SCENE', action_info: { scene: { scene_id: 0 } } })).body.errcode).toBe(47001);
    expect((await post('qrcode/create', { action_name: 'QR_BOGUS', action_info: { scene: { scene_id: 1 } } })).body.errcode).toBe(47001);
  });
});
