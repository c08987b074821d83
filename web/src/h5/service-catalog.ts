/**
 * The services the hall offers, grouped the way citizens think about them (look something up,
 * get something done, find out how), with the words people actually type when searching.
 */

export interface ServiceEntry {
  key: string;
  title: string;
  /** Route path inside the h5 app. */
  path: string;
  /** Vant icon name. */
  icon: string;
  description: string;
  /** Colloquial synonyms: citizens search 违章 rather than 违法. */
  keywords: string[];
}

export interface ServiceGroup {
  key: string;
  title: string;
  services: ServiceEntry[];
}

export const SERVICE_GROUPS: ServiceGroup[] = [
  {
    key: 'lookup',
    title: '查询',
    services: [
      {
        key: 'violations',
        title: '违法查询',
        path: '/violations',
        icon: 'warning-o',
        description: '查询机动车交通违法记录及处理状态',
        keywords: ['违章', '违法', '罚单', '罚款', '电子眼', '抓拍', '交通违法'],
      },
      {
        key: 'points',
        title: '驾驶证记分',
        path: '/points',
        icon: 'medal-o',
        description: '查看本记分周期的累计记分',
        keywords: ['记分', '扣分', '分数', '驾照', '驾驶证', '学法减分'],
      },
      {
        key: 'vehicles',
        title: '我的车辆',
        path: '/vehicles',
        icon: 'logistics',
        description: '绑定的机动车、检验有效期',
        keywords: ['车辆', '汽车', '行驶证', '年检', '年审', '车牌', '号牌', '绑定'],
      },
    ],
  },
  {
    key: 'transact',
    title: '办理',
    services: [
      {
        key: 'appointments',
        title: '预约办理',
        path: '/appointments',
        icon: 'calendar-o',
        description: '预约车管所、办事大厅的办理时段',
        keywords: ['预约', '排队', '取号', '挂号', '车管所', '时段', '取消预约'],
      },
      {
        key: 'application-new',
        title: '在线申请',
        path: '/applications/new',
        icon: 'edit',
        description: '补换领驾驶证、变更联系方式等',
        keywords: ['申请', '补证', '换证', '补领', '换领', '到期换证', '变更', '网上办'],
      },
      {
        key: 'applications',
        title: '我的办件',
        path: '/applications',
        icon: 'orders-o',
        description: '查看已提交申请的办理进度',
        keywords: ['办件', '进度', '进展', '审核', '结果', '我的申请', '评价'],
      },
    ],
  },
  {
    key: 'guide',
    title: '办事指南',
    services: [
      {
        key: 'offices',
        title: '办事网点',
        path: '/offices',
        icon: 'location-o',
        description: '网点地址、电话与营业时间',
        keywords: ['网点', '地址', '电话', '营业时间', '上班时间', '车管所', '大厅', '地图'],
      },
      {
        key: 'guides',
        title: '办事须知',
        path: '/guides',
        icon: 'guide-o',
        description: '各项业务需要的材料和流程',
        keywords: ['指南', '须知', '材料', '流程', '需要带什么', '证件', '怎么办'],
      },
    ],
  },
];

/** Lower-cased, without spaces, so “驾 驶证” and “Wei Zhang” style input still match. */
const normalize = (s: string) => s.toLowerCase().replace(/\s+/g, '');

export function matchesService(service: ServiceEntry, term: string): boolean {
  const t = normalize(term);
  if (!t) return true;
  const haystack = [service.title, service.description, ...service.keywords].map(normalize);
  // Either direction: “违章查询” contains the keyword “违章”; “违” is contained in “违章”.
  return haystack.some((h) => h.includes(t) || (t.length >= 2 && t.includes(h) && h.length >= 2));
}

/** The groups with only the matching services; empty groups are dropped. */
export function filterServices(groups: ServiceGroup[], term: string): { groups: ServiceGroup[]; count: number } {
  const filtered = groups
    .map((g) => ({ ...g, services: g.services.filter((s) => matchesService(s, term)) }))
    .filter((g) => g.services.length > 0);
  return { groups: filtered, count: filtered.reduce((n, g) => n + g.services.length, 0) };
}
