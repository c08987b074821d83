import type { SandboxUser } from './types';

/**
 * The pages of the simulated authorize step: WeChat's error page, a user picker (the real
 * WeChat knows who holds the phone; the sandbox has to ask) and the snsapi_userinfo consent.
 * Plain server-rendered HTML, no scripts, readable on a phone.
 */
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#ededed;color:#111}
main{max-width:480px;margin:0 auto;padding:24px 16px}h1{font-size:20px;margin:8px 0 4px}p{color:#555;margin:4px 0 16px;font-size:14px}
.tag{display:inline-block;font-size:12px;color:#fff;background:#07c160;border-radius:3px;padding:0 6px;margin-left:6px}.tag.off{background:#aaa}.tag.snap{background:#fa9d3b}
ul{list-style:none;margin:0 0 16px;padding:0;background:#fff;border-radius:8px}li+li{border-top:1px solid #eee}
li a{display:flex;align-items:center;padding:12px;color:inherit;text-decoration:none}li img{width:40px;height:40px;border-radius:4px;margin-right:12px}
form{background:#fff;border-radius:8px;padding:12px}input[type=text]{width:100%;font:inherit;padding:8px;border:1px solid #ddd;border-radius:4px;margin-bottom:8px}
label{font-size:14px;color:#555;display:block;margin-bottom:8px}
.btn{display:block;width:100%;text-align:center;font:inherit;font-weight:600;padding:12px;border:0;border-radius:8px;margin:12px 0 0;text-decoration:none;cursor:pointer}
.primary{background:#07c160;color:#fff}.plain{background:#f2f2f2;color:#07c160}
.card{background:#fff;border-radius:8px;padding:20px;text-align:center}.card img{width:64px;height:64px;border-radius:8px}
.scope{border-top:1px solid #eee;border-bottom:1px solid #eee;text-align:left;padding:12px 0;margin:16px 0;font-size:14px}
.err{text-align:center;padding-top:64px}.err h1{font-size:22px}.code{color:#999;font-size:13px}.note{font-size:12px;color:#999;text-align:center;margin-top:24px}`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** Like WeChat's authorize error page: a short message and the error code. */
export function renderAuthorizeError(message: string, code?: number): string {
  return layout(
    '微信网页授权',
    `<div class="err"><h1>Oops! Something went wrong:(</h1><p>${esc(message)}</p>${code === undefined ? '' : `<p class="code">错误码：${code}</p>`}</div>`,
  );
}

/** The authorize parameters carried through the picker and consent steps. */
export type AuthorizeParams = Record<'appid' | 'redirect_uri' | 'response_type' | 'scope' | 'state', string>;

const link = (path: string, params: AuthorizeParams, extra: Record<string, string>) =>
  `${path}?${new URLSearchParams({ ...params, ...extra }).toString()}#wechat_redirect`;

export function renderPicker(input: { path: string; params: AuthorizeParams; users: SandboxUser[]; accountName: string; host: string }): string {
  const { path, params } = input;
  const rows = input.users
    .map((u) => {
      const badge = u.snapshot ? '<span class="tag snap">快照页访客</span>' : u.subscribed ? '<span class="tag">已关注</span>' : '<span class="tag off">未关注</span>';
      return `<li><a href="${esc(link(path, params, { sandbox_user: u.openid, sandbox_consent: 'ask' }))}"><img src="${esc(u.headimgurl)}" alt=""><span>${esc(u.nickname)}${badge}</span></a></li>`;
    })
    .join('');
  const hidden = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return layout(
    '选择微信用户',
    `<h1>选择微信用户</h1><p>沙箱模拟的微信网页授权。真实微信会直接识别当前用户；这里请选择以谁的身份进入「${esc(input.accountName)}」（${esc(input.host)}）。</p>
<ul>${rows}</ul>
<form method="get" action="${esc(path)}">${hidden}<input type="hidden" name="sandbox_new" value="1"><input type="hidden" name="sandbox_consent" value="ask">
<label for="nick">新建一个微信用户</label><input id="nick" type="text" name="sandbox_nickname" maxlength="32" placeholder="昵称（可不填）">
<label><input type="checkbox" name="sandbox_snapshot" value="1"> 快照页模式（虚拟身份，is_snapshotuser=1）</label>
<button class="btn plain" type="submit">以新用户身份继续</button></form>
<p class="note">WeChat platform sandbox</p>`,
  );
}

export function renderConsent(input: { path: string; params: AuthorizeParams; user: SandboxUser; accountName: string }): string {
  const { path, params, user } = input;
  const allow = link(path, params, { sandbox_user: user.openid, sandbox_consent: 'allow' });
  const deny = link(path, params, { sandbox_user: user.openid, sandbox_consent: 'deny' });
  return layout(
    '微信授权',
    `<div class="card"><img src="${esc(user.headimgurl)}" alt=""><h1>${esc(input.accountName)}</h1><p>申请获得以下权限</p>
<div class="scope">获得你的公开信息（昵称、头像等）<br><small>当前微信用户：${esc(user.nickname)}</small></div>
<a class="btn primary" href="${esc(allow)}">允许</a><a class="btn plain" href="${esc(deny)}">拒绝</a></div>
<p class="note">WeChat platform sandbox</p>`,
  );
}
