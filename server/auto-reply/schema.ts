import { z } from 'zod';

const mediaId = z.string().min(1).max(128);
const httpUrl = z.url({ protocol: /^https?$/ }).max(1024);

/** What a rule answers with; the shapes of the platform's passive replies (PROTOCOL §2.4). */
export const storedReplySchema = z.discriminatedUnion('type', [
  // Empty text makes WeChat show "service unavailable" to the citizen: never allow it.
  z.strictObject({ type: z.literal('text'), content: z.string().trim().min(1).max(2000) }),
  z.strictObject({ type: z.literal('image'), mediaId }),
  z.strictObject({ type: z.literal('voice'), mediaId }),
  z.strictObject({ type: z.literal('video'), mediaId, title: z.string().max(64).optional(), description: z.string().max(256).optional() }),
  z.strictObject({
    type: z.literal('music'),
    title: z.string().max(64).optional(),
    description: z.string().max(256).optional(),
    musicUrl: httpUrl,
    hqMusicUrl: httpUrl.optional(),
    thumbMediaId: mediaId,
  }),
  // One article: the platform's current limit for passive news replies.
  z.strictObject({ type: z.literal('news'), title: z.string().min(1).max(64), description: z.string().max(256).optional(), picUrl: httpUrl.optional(), url: httpUrl }),
  z.strictObject({ type: z.literal('transfer_customer_service') }),
]);

export const RULE_TRIGGERS = ['keyword', 'subscribe', 'click', 'default'] as const;
export const MATCH_TYPES = ['exact', 'contains', 'regex'] as const;

export const ruleInputSchema = z
  .strictObject({
    trigger: z.enum(RULE_TRIGGERS),
    matchType: z.enum(MATCH_TYPES).optional(),
    pattern: z.string().trim().min(1).max(256).optional(),
    priority: z.number().int().min(-1000).max(1000).default(0),
    enabled: z.boolean().default(true),
    reply: storedReplySchema,
    note: z.string().max(128).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.trigger === 'keyword' && (!r.matchType || !r.pattern)) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a keyword rule needs matchType and pattern' });
    if (r.trigger === 'click' && !r.pattern) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a click rule needs the menu key as pattern' });
    if (r.trigger === 'click' && r.pattern && Buffer.byteLength(r.pattern) > 128) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'menu keys are at most 128 bytes' });
    if ((r.trigger === 'subscribe' || r.trigger === 'default') && (r.matchType || r.pattern)) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `a ${r.trigger} rule has no pattern` });
    if (r.trigger === 'keyword' && r.matchType === 'regex' && r.pattern) {
      const problem = regexProblem(r.pattern);
      if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
    }
  });
export type RuleInput = z.input<typeof ruleInputSchema>;

/**
 * Staff write these patterns and every citizen message runs them, so a pattern that can
 * backtrack catastrophically (a quantified group that itself contains a quantifier, e.g.
 * `(a+)+`) is refused, as is one that does not compile.
 */
export function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'iu');
  } catch {
    return 'the regular expression does not compile';
  }
  if (/\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/.test(pattern)) return 'nested quantifiers (like (a+)+) are not allowed: they can hang the server';
  if (/\\[1-9]/.test(pattern)) return 'back-references are not allowed';
  return undefined;
}

/** A rule as the admin view receives it. */
export interface AutoReplyRuleDto {
  id: number;
  trigger: (typeof RULE_TRIGGERS)[number];
  matchType: (typeof MATCH_TYPES)[number] | null;
  pattern: string | null;
  priority: number;
  enabled: boolean;
  reply: z.infer<typeof storedReplySchema>;
  note: string | null;
  createdAt: string;
  updatedAt: string;
}
