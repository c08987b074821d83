import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DATABASE_URL, parseConfig } from '../../server/config';
import { liveEnv } from '../support/factories';

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('config', () => {
  it('runs with no environment at all: sandbox mode, default database and port', () => {
    const c = parseConfig({});
    expect(c.port).toBe(3000);
    expect(c.database.url).toBe(DEFAULT_DATABASE_URL);
    expect(c.database.isDefaultUrl).toBe(true);
    expect(c.wechat.mode).toBe('sandbox');
    expect(c.wechat.apiBase).toBeUndefined(); // resolved to this process's /sandbox once listening
    expect(c.wechat.openBase).toBe('http://localhost:3000/sandbox');
    expect(c.seedDemoData).toBe(true);
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
  });

  it('switches to live mode when real credentials are present, and then demands the rest', () => {
    const problems = problemsOf({ WECHAT_APPID: 'wx1234567890abcdef', WECHAT_APPSECRET: 'a'.repeat(32) });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('WECHAT_TOKEN: required when WECHAT_MODE=live'),
        expect.stringContaining('SESSION_SECRET: required'),
        expect.stringContaining('USAGE_PSEUDONYM_SECRET: required'),
        expect.stringContaining('PUBLIC_BASE_URL: required'),
        expect.stringContaining('WECHAT_AES_KEY: required when WECHAT_MESSAGE_MODE=safe'),
      ]),
    );
  });

  it('reports every problem at once, by name, without echoing values', () => {
    const secret = 'short-secret-value';
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'postgres://x/y', SESSION_SECRET: secret, WECHAT_MESSAGE_MODE: 'loud', USAGE_ENABLED: 'maybe' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'PORT', 'SESSION_SECRET', 'USAGE_ENABLED', 'WECHAT_MESSAGE_MODE']);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });

  it('a live configuration that is complete parses', () => {
    const c = parseConfig(liveEnv());
    expect(c.wechat.mode).toBe('live');
    expect(c.wechat.apiBase).toBe('https://api.weixin.qq.com');
    expect(c.publicBaseUrl).toBe('https://portal.example.gov.cn');
    expect(c.seedDemoData).toBe(false);
  });

  it('the server process prints every problem and exits 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { PATH: process.env.PATH, PORT: '-1', WECHAT_MESSAGE_MODE: 'nope' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid configuration');
    expect(r.stderr).toContain('PORT:');
    expect(r.stderr).toContain('WECHAT_MESSAGE_MODE:');
  });
});
