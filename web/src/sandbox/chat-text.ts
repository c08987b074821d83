/**
 * A text message as WeChat renders it: plain text, except `<a href="…">label</a>` (which
 * accounts use in replies) and bare http(s) URLs become links that open inside the phone.
 * Nothing is ever inserted as HTML: the result is segments the template renders as text.
 */
export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const ANCHOR = /<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a>/gi;
const BARE_URL = /https?:\/\/[^\s<>"'，。；！？、）】》]+/g;

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };
const decode = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#39|nbsp);/g, (m) => ENTITIES[m] ?? m);

function pushText(out: TextSegment[], text: string) {
  if (text === '') return;
  let last = 0;
  for (const m of text.matchAll(BARE_URL)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: 'text', text: text.slice(last, at) });
    out.push({ kind: 'link', text: m[0], href: m[0] });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
}

export function textSegments(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  for (const m of text.matchAll(ANCHOR)) {
    const at = m.index ?? 0;
    pushText(out, text.slice(last, at));
    const href = decode((m[1] ?? m[2] ?? '').trim());
    const label = decode((m[3] ?? '').replace(/<[^>]*>/g, ''));
    if (/^https?:\/\//i.test(href)) out.push({ kind: 'link', text: label || href, href });
    else out.push({ kind: 'text', text: label });
    last = at + m[0].length;
  }
  pushText(out, text.slice(last));
  return out;
}
