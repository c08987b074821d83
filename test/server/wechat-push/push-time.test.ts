import { describe, expect, it } from 'vitest';
import { createAutoReplyService } from '../../../server/auto-reply/service';
import { createCitizenService } from '../../../server/citizens/service';
import type { UsageInput, UsageRecorder } from '../../../server/usage/recorder';
import { createWechatEventBus } from '../../../server/wechat/event-bus';
import { toPushMessage } from '../../../server/wechat/messages';
import { createPushHandler } from '../../../server/wechat/push-handler';
import { captureLogger } from '../../support/app';
import { testDb } from '../../support/db';
import { fakeOpenid } from '../../support/factories';

/**
 * A push's CreateTime has whole seconds, the H5 page's events milliseconds. A menu tap is recorded
 * at its arrival time held inside the second WeChat names, so it sorts among that second's page
 * events the way it happened (the reports derive paths from that order).
 */
describe('the time a pushed menu tap is recorded at', () => {
  const createTime = 1_795_272_996;
  async function recordedAt(nowMs: number): Promise<number> {
    const seen: UsageInput[] = [];
    const usage = { record: (e: UsageInput) => void seen.push(e) } as unknown as UsageRecorder;
    const db = testDb().db;
    const handler = createPushHandler({
      autoReply: createAutoReplyService({ db }),
      citizens: createCitizenService({ db }),
      usage,
      events: createWechatEventBus(),
      menuVersion: async () => 'v1',
      logger: captureLogger().logger,
      now: () => nowMs,
    });
    const openid = fakeOpenid();
    await handler.handle(toPushMessage({ ToUserName: 'gh_x', FromUserName: openid, CreateTime: String(createTime), MsgType: 'event', Event: 'CLICK', EventKey: 'guide' }));
    const click = seen.find((e) => e.kind === 'menu_click');
    expect(click).toBeDefined();
    return click!.at!;
  }

  it('is the arrival time when it falls inside the second WeChat names', async () => {
    expect(await recordedAt(createTime * 1000 + 437)).toBe(createTime * 1000 + 437);
  });
  it('is the end of that second when the push arrives later (a retry), its start when our clock is behind', async () => {
    expect(await recordedAt(createTime * 1000 + 12_000)).toBe(createTime * 1000 + 999);
    expect(await recordedAt(createTime * 1000 - 3_000)).toBe(createTime * 1000);
  });
});
