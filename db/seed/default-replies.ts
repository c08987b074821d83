import { autoReplyRules, type Transaction } from '../schema';
import type { StoredReply } from '../schema/wechat';
import { DEFAULT_MENU_CLICK_KEYS } from './default-menu';

/** Replies a traffic bureau's account starts with; staff edit them in the admin view. */
const text = (content: string): StoredReply => ({ type: 'text', content });

export async function seedDefaultReplies(tx: Transaction): Promise<void> {
  await tx.insert(autoReplyRules).values([
    {
      trigger: 'subscribe',
      priority: 0,
      reply: text('欢迎关注！点击下方菜单可查询交通违法、驾驶证记分，预约窗口办理，在线申请业务。回复“帮助”查看常用服务。'),
      note: '关注欢迎语',
    },
    { trigger: 'keyword', matchType: 'exact', pattern: '帮助', priority: 10, reply: text('常用服务：回复“违法”查询交通违法，“记分”查询驾驶证记分，“预约”预约窗口办理，“人工”转人工客服。'), note: '帮助' },
    { trigger: 'keyword', matchType: 'contains', pattern: '违法', priority: 5, reply: text('查询交通违法：点击菜单“查询 › 违法查询”，输入号牌和车架号后六位即可。'), note: '违法' },
    { trigger: 'keyword', matchType: 'contains', pattern: '记分', priority: 5, reply: text('查询驾驶证记分：点击菜单“查询 › 驾驶证记分”。'), note: '记分' },
    { trigger: 'keyword', matchType: 'contains', pattern: '预约', priority: 5, reply: text('预约窗口办理：点击菜单“办事 › 预约办理”，选择业务、网点和时间。'), note: '预约' },
    { trigger: 'keyword', matchType: 'exact', pattern: '人工', priority: 10, reply: { type: 'transfer_customer_service' }, note: '转人工客服' },
    {
      trigger: 'click',
      pattern: DEFAULT_MENU_CLICK_KEYS.guide,
      priority: 0,
      reply: text('办事指南：驾驶证换证、补证，机动车登记、补牌，违法处理。材料清单见“办事 › 在线申请”中各事项说明。'),
      note: '菜单：办事指南',
    },
    {
      trigger: 'click',
      pattern: DEFAULT_MENU_CLICK_KEYS.contact,
      priority: 0,
      reply: text('咨询电话 12123（工作日 9:00–17:00）。车管所地址：示范市人民路 100 号。'),
      note: '菜单：联系我们',
    },
    { trigger: 'default', priority: 0, reply: text('您好，您的留言已收到。查询和办事请使用下方菜单；回复“帮助”查看常用服务。'), note: '默认回复' },
  ]);
}
