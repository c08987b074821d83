import { chunks, type ApiCaller, type WechatAck } from './types';
import type { UserListPage } from './users';

export interface WechatTag {
  id: number;
  name: string;
  count?: number;
}

/** batchtagging / batchuntagging take at most 50 openids per call. */
export const TAG_BATCH_MAX = 50;

export function tagsApi(c: ApiCaller) {
  return {
    async create(name: string): Promise<WechatTag> {
      // Not retried after a timeout: a second attempt would fail with 45157 (duplicate name).
      const res = await c.withToken<{ tag: WechatTag }>('POST', '/cgi-bin/tags/create', { body: { tag: { name } }, retryOnNetworkError: false });
      return res.tag;
    },
    async list(): Promise<WechatTag[]> {
      const res = await c.withToken<{ tags: WechatTag[] }>('GET', '/cgi-bin/tags/get');
      return res.tags ?? [];
    },
    update: (id: number, name: string) => c.withToken<WechatAck>('POST', '/cgi-bin/tags/update', { body: { tag: { id, name } } }),
    /** ids 0, 1 and 2 are reserved (45058) */
    delete: (id: number) => c.withToken<WechatAck>('POST', '/cgi-bin/tags/delete', { body: { tag: { id } } }),
    /** Any number of openids, sent in calls of 50. */
    async batchTagging(tagId: number, openids: readonly string[]): Promise<void> {
      for (const part of chunks(openids, TAG_BATCH_MAX)) {
        await c.withToken<WechatAck>('POST', '/cgi-bin/tags/members/batchtagging', { body: { openid_list: part, tagid: tagId } });
      }
    },
    async batchUntagging(tagId: number, openids: readonly string[]): Promise<void> {
      for (const part of chunks(openids, TAG_BATCH_MAX)) {
        await c.withToken<WechatAck>('POST', '/cgi-bin/tags/members/batchuntagging', { body: { openid_list: part, tagid: tagId } });
      }
    },
    /** The tag ids a follower carries. */
    async idsOf(openid: string): Promise<number[]> {
      const res = await c.withToken<{ tagid_list: number[] }>('POST', '/cgi-bin/tags/getidlist', { body: { openid } });
      return res.tagid_list ?? [];
    },
    /** Followers carrying a tag, one page. */
    members: (tagId: number, nextOpenid?: string) =>
      c.withToken<UserListPage>('POST', '/cgi-bin/user/tag/get', { body: { tagid: tagId, next_openid: nextOpenid ?? '' } }),
  };
}
export type TagsApi = ReturnType<typeof tagsApi>;
