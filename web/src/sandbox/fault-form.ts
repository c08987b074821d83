/**
 * The fault-injection form's rows ⇄ the control API's FaultSettings. Rates are edited as
 * percentages; empty optional fields are left out.
 */
import type { EndpointFault, FaultSettings } from './control-api';

export interface FaultRow {
  key: number;
  endpoint: string;
  errcode: number | '';
  errmsg: string;
  /** 0–100 */
  ratePct: number | '';
  times: number | '';
  latencyMs: number | '';
}

export interface FaultForm {
  latencyMs: number | '';
  templateQuotaExhausted: boolean;
  rows: FaultRow[];
}

let rowSeq = 0;

export function newRow(init: Partial<Omit<FaultRow, 'key'>> = {}): FaultRow {
  return { key: ++rowSeq, endpoint: '', errcode: -1, errmsg: '', ratePct: 100, times: '', latencyMs: '', ...init };
}

export function toForm(settings: FaultSettings): FaultForm {
  return {
    latencyMs: settings.latencyMs,
    templateQuotaExhausted: settings.templateQuotaExhausted,
    rows: Object.entries(settings.endpoints).map(([endpoint, f]) =>
      newRow({
        endpoint,
        errcode: f.errcode,
        errmsg: f.errmsg ?? '',
        ratePct: Math.round(f.rate * 1000) / 10,
        times: f.times ?? '',
        latencyMs: f.latencyMs ?? '',
      }),
    ),
  };
}

const num = (v: number | '' | null | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The settings to PUT, or the first problem a person can fix in the form. */
export function toSettings(form: FaultForm): { settings: FaultSettings } | { problem: string } {
  const endpoints: Record<string, EndpointFault> = {};
  for (const [i, row] of form.rows.entries()) {
    const endpoint = row.endpoint.trim();
    if (endpoint === '') continue;
    if (endpoints[endpoint]) return { problem: `第 ${i + 1} 条：接口 ${endpoint} 重复` };
    const errcode = num(row.errcode);
    if (errcode === undefined) return { problem: `第 ${i + 1} 条：请填写错误码` };
    const pct = num(row.ratePct) ?? 100;
    if (pct < 0 || pct > 100) return { problem: `第 ${i + 1} 条：概率应在 0–100 之间` };
    const fault: EndpointFault = { errcode, rate: pct / 100 };
    if (row.errmsg.trim()) fault.errmsg = row.errmsg.trim();
    const times = num(row.times);
    if (times !== undefined) fault.times = times;
    const latency = num(row.latencyMs);
    if (latency !== undefined) fault.latencyMs = latency;
    endpoints[endpoint] = fault;
  }
  return { settings: { latencyMs: num(form.latencyMs) ?? 0, templateQuotaExhausted: form.templateQuotaExhausted, endpoints } };
}

/** WeChat API paths the portal calls, for the endpoint field's suggestions. */
export const ENDPOINT_SUGGESTIONS: readonly { path: string; label: string }[] = [
  { path: '*', label: '所有接口' },
  { path: '/cgi-bin/token', label: '获取 access_token' },
  { path: '/cgi-bin/stable_token', label: '获取稳定版 access_token' },
  { path: '/cgi-bin/message/template/send', label: '发送模板消息' },
  { path: '/cgi-bin/message/custom/send', label: '发送客服消息' },
  { path: '/cgi-bin/message/custom/typing', label: '客服输入状态' },
  { path: '/cgi-bin/menu/create', label: '创建菜单' },
  { path: '/cgi-bin/menu/get', label: '查询菜单' },
  { path: '/cgi-bin/menu/addconditional', label: '创建个性化菜单' },
  { path: '/cgi-bin/user/info', label: '获取用户信息' },
  { path: '/cgi-bin/user/info/batchget', label: '批量获取用户信息' },
  { path: '/cgi-bin/user/get', label: '获取关注者列表' },
  { path: '/cgi-bin/ticket/getticket', label: '获取 jsapi_ticket' },
  { path: '/cgi-bin/qrcode/create', label: '生成带参数二维码' },
  { path: '/sns/oauth2/access_token', label: '网页授权换取 openid' },
  { path: '/sns/userinfo', label: '网页授权获取用户信息' },
];

export const ERRCODE_SUGGESTIONS: readonly { code: number; label: string }[] = [
  { code: -1, label: '系统繁忙' },
  { code: 40001, label: 'access_token 无效' },
  { code: 42001, label: 'access_token 过期' },
  { code: 40003, label: 'openid 无效' },
  { code: 43004, label: '需要接收者关注' },
  { code: 45009, label: '接口调用超过每日限额' },
  { code: 45011, label: '接口调用太频繁' },
  { code: 45015, label: '回复时间超过限制' },
  { code: 45047, label: '客服消息超过下发条数限制' },
  { code: 48001, label: '接口未授权' },
];
