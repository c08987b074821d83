/**
 * Timestamps in the chat, the way WeChat shows them: a grey time line above a message when it
 * is the first one or comes a while after the previous one; "10:32" today, "昨天 10:32",
 * "5月6日 10:32" this year, "2023年5月6日 10:32" before. The phone is in Beijing time.
 */
export const TIME_GAP_MS = 5 * 60 * 1000;

const TZ = 'Asia/Shanghai';
const partsFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: TZ,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

interface Parts {
  year: number;
  month: number;
  day: number;
  hm: string;
}

function parts(ms: number): Parts {
  const p: Record<string, string> = {};
  for (const { type, value } of partsFormat.formatToParts(new Date(ms))) p[type] = value;
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hm: `${p.hour ?? '00'}:${p.minute ?? '00'}` };
}

const sameDay = (a: Parts, b: Parts) => a.year === b.year && a.month === b.month && a.day === b.day;

export function formatChatTime(at: number, now: number = Date.now()): string {
  const t = parts(at);
  const today = parts(now);
  if (sameDay(t, today)) return t.hm;
  if (sameDay(t, parts(now - 24 * 60 * 60 * 1000))) return `昨天 ${t.hm}`;
  if (t.year === today.year) return `${t.month}月${t.day}日 ${t.hm}`;
  return `${t.year}年${t.month}月${t.day}日 ${t.hm}`;
}

/** The date line of a template card ("5月6日"). */
export function formatCardDate(at: number): string {
  const t = parts(at);
  return `${t.month}月${t.day}日`;
}

/** Which entries get a time line above them (by index). */
export function timeMarks(entries: readonly { at: number }[]): boolean[] {
  return entries.map((e, i) => {
    const prev = entries[i - 1];
    return prev === undefined || e.at - prev.at >= TIME_GAP_MS;
  });
}
