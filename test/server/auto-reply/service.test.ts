import { describe, expect, it, onTestFinished } from 'vitest';
import { createAutoReplyService } from '../../../server/auto-reply/service';
import { regexProblem } from '../../../server/auto-reply/schema';
import { AppError } from '../../../server/http/errors';
import { testDb, uniq } from '../../support/db';

const svc = () => createAutoReplyService({ db: testDb().db });
const text = (content: string) => ({ type: 'text' as const, content });

describe('auto-reply rules', () => {
  it('exact, contains and regex keywords match case-insensitively; higher priority wins, then the older rule', async () => {
    const s = svc();
    const tag = uniq('q');
    await s.create({ trigger: 'keyword', matchType: 'contains', pattern: `${tag}x`, priority: 1, reply: text('contains-low') });
    await s.create({ trigger: 'keyword', matchType: 'exact', pattern: `${tag}X`, priority: 5, reply: text('exact-high') });
    await s.create({ trigger: 'keyword', matchType: 'regex', pattern: `^${tag}\\d{3}$`, priority: 1, reply: text('regex') });
    await s.create({ trigger: 'keyword', matchType: 'contains', pattern: `${tag}x`, priority: 1, reply: text('contains-low-newer') });
    expect(await s.forText(`  ${tag}x `)).toEqual(text('exact-high'));
    expect(await s.forText(`我想问${tag.toUpperCase()}X的事`)).toEqual(text('contains-low'));
    expect(await s.forText(`${tag}123`)).toEqual(text('regex'));
  });

  it('falls back to the default rule, and returns nothing when there is none that matches', async () => {
    const s = svc();
    const rule = await s.create({ trigger: 'default', priority: 900, reply: text('默认') });
    onTestFinished(() => s.remove(rule.id).catch(() => undefined)); // a default rule applies to everyone
    expect(await s.forText(uniq('nothing-matches'))).toEqual(text('默认'));
    await s.setEnabled(rule.id, false);
    expect(await s.forText(uniq('nothing-matches'))).not.toEqual(text('默认'));
  });

  it('click rules by key and the subscribe welcome', async () => {
    const s = svc();
    const key = uniq('K_');
    await s.create({ trigger: 'click', pattern: key, reply: text('guide') });
    expect(await s.forClick(key)).toEqual(text('guide'));
    expect(await s.forClick(`${key}_other`)).toBeUndefined();
  });

  it('refuses invalid rules with field-level details', async () => {
    const s = svc();
    const cases: unknown[] = [
      { trigger: 'keyword', pattern: 'x', reply: text('a') }, // no matchType
      { trigger: 'click', reply: text('a') }, // no key
      { trigger: 'subscribe', pattern: 'x', reply: text('a') },
      { trigger: 'keyword', matchType: 'exact', pattern: 'x', reply: text('   ') }, // empty text shows an error to citizens
      { trigger: 'keyword', matchType: 'regex', pattern: '(a+)+$', reply: text('a') },
      { trigger: 'keyword', matchType: 'regex', pattern: '([', reply: text('a') },
      { trigger: 'keyword', matchType: 'exact', pattern: 'x', reply: { type: 'news', title: 't', url: 'javascript:alert(1)' } },
    ];
    for (const c of cases) {
      const err = await s.create(c as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('AUTO_REPLY_RULE_INVALID');
      expect((err as AppError).details).toBeInstanceOf(Array);
    }
  });

  it('update and delete of a missing rule are 404s; update replaces the rule', async () => {
    const s = svc();
    await expect(s.update(99_999_999, { trigger: 'default', reply: text('x') })).rejects.toMatchObject({ code: 'AUTO_REPLY_RULE_NOT_FOUND' });
    await expect(s.remove(99_999_999)).rejects.toMatchObject({ code: 'AUTO_REPLY_RULE_NOT_FOUND' });
    const key = uniq('K_');
    const r = await s.create({ trigger: 'click', pattern: key, reply: text('old') });
    const u = await s.update(r.id, { trigger: 'click', pattern: key, reply: text('new'), note: 'edited' });
    expect(u).toMatchObject({ id: r.id, note: 'edited', reply: text('new') });
    expect(await s.forClick(key)).toEqual(text('new'));
  });

  it('regex guard: refuses catastrophic patterns, accepts ordinary ones', () => {
    for (const bad of ['(a+)+', '(a*)*b', '(\\w+\\s?)*$', '(x{1,5})+', '(a)\\1']) expect(regexProblem(bad)).toBeDefined();
    for (const ok of ['^违法\\d*$', '预约|挂号', '[京津沪]A\\w{5}']) expect(regexProblem(ok)).toBeUndefined();
  });
});
