const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A plain, accessible page for sign-in failures inside WeChat's browser. */
export function renderSignInError(message: string, requestId: string | undefined): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>登录未完成</title>
<style>body{font:17px/1.6 system-ui,sans-serif;margin:0;padding:24px;color:#222;background:#f7f8fa}main{max-width:480px;margin:10vh auto;background:#fff;padding:24px;border-radius:12px}a{display:inline-block;margin-top:16px;padding:10px 20px;background:#1989fa;color:#fff;border-radius:20px;text-decoration:none}small{color:#888}</style>
</head><body><main role="alert"><h1>登录未完成</h1><p>${escape(message)}</p>
<a href="/h5/">返回服务大厅</a>
${requestId ? `<p><small>请求编号 ${escape(requestId)}</small></p>` : ''}</main></body></html>`;
}
