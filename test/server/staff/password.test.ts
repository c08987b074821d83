import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, needsRehash, parseHash, verifyPassword } from '../../../server/staff/password';
import { checkPasswordPolicy } from '../../../server/staff/password-policy';

const cheap = { N: 1024, r: 8, p: 1 };

describe('staff password hashing (scrypt)', () => {
  it('stores the parameters, a random salt and the key in the hash string', async () => {
    const a = await hashPassword('Correct-Horse-42', cheap);
    const b = await hashPassword('Correct-Horse-42', cheap);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b); // salted
    expect(a).not.toContain('Correct-Horse-42');
    expect(parseHash(a)).toMatchObject({ N: 1024, r: 8, p: 1 });
    expect(parseHash(a)!.salt.length).toBe(16);
  });

  it('verifies the right password and refuses a wrong one, including near misses', async () => {
    const h = await hashPassword('Correct-Horse-42', cheap);
    expect(await verifyPassword('Correct-Horse-42', h)).toBe(true);
    for (const wrong of ['correct-horse-42', 'Correct-Horse-4', 'Correct-Horse-42 ', '']) expect(await verifyPassword(wrong, h)).toBe(false);
  });

  it('verifies with the parameters in the hash, not the current ones', async () => {
    const old = await hashPassword('Correct-Horse-42', { N: 512, r: 4, p: 1 });
    expect(await verifyPassword('Correct-Horse-42', old)).toBe(true);
    expect(needsRehash(old, cheap)).toBe(true);
    expect(needsRehash(await hashPassword('x', cheap), cheap)).toBe(false);
  });

  it('treats a malformed or tampered hash as a non-match, never a crash', async () => {
    const h = await hashPassword('Correct-Horse-42', cheap);
    const parts = h.split('$');
    const tampered = [...parts.slice(0, 5), Buffer.alloc(32, 1).toString('base64')].join('$');
    for (const bad of ['', 'plain', 'bcrypt$...', h.replace('scrypt', 'scrypd'), tampered, h.replace('$1024$', '$1000$'), h.replace('$1024$', `$${2 ** 30}$`)]) {
      expect(await verifyPassword('Correct-Horse-42', bad)).toBe(false);
    }
  });

  it('normalises Unicode so the same password typed differently verifies', async () => {
    const h = await hashPassword('密码Ｃｏｒｒｅｃｔ1', cheap); // full-width letters
    expect(await verifyPassword('密码Correct1', h)).toBe(true);
  });

  it('the dummy hash for unknown users is made once and never verifies a guess', async () => {
    const d = dummyHash(cheap);
    const h1 = await d();
    expect(await d()).toBe(h1);
    expect(await verifyPassword('anything-at-all', h1)).toBe(false);
  });
});

describe('password policy', () => {
  it('requires the minimum length, refuses the username inside it and common passwords', () => {
    expect(() => checkPasswordPolicy('short', 'alice', 10)).toThrow(/至少需要10个字符/);
    expect(() => checkPasswordPolicy('xxAlice-2025xx', 'alice', 10)).toThrow(/用户名/);
    expect(() => checkPasswordPolicy('1234567890', 'alice', 10)).toThrow(/常见/);
    expect(() => checkPasswordPolicy('aaaaaaaaaaaa', 'alice', 10)).toThrow(/常见/);
    expect(() => checkPasswordPolicy('Correct-Horse-42', 'alice', 10)).not.toThrow();
  });
});
