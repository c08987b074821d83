import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks before a line is written. Secrets, tokens, OAuth codes and raw openids
 * must never reach a log, and database errors carry SQL text and bound parameters (which may
 * hold citizens' identifiers), so those fields go too.
 */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'openid',
  'unionid',
  'code',
  'access_token',
  'refresh_token',
  'ticket',
  'appsecret',
  '*.password',
  '*.secret',
  '*.token',
  '*.openid',
  '*.unionid',
  '*.access_token',
  '*.refresh_token',
  '*.ticket',
  '*.appsecret',
  '*.sessionSecret',
  '*.pseudonymSecret',
  '*.aesKey',
  '*.appSecret',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'err.sql',
  'err.sqlMessage',
  'err.query',
  'err.params',
  'err.parameters',
  'err.cause.sql',
  'err.cause.sqlMessage',
  'err.cause.message',
  'err.cause.params',
];

interface DbErrorLike {
  name?: string;
  code?: string;
  errno?: number;
  sqlState?: string;
  sql?: string;
  query?: string;
  stack?: string;
  cause?: unknown;
}

function isDatabaseError(err: DbErrorLike | undefined): boolean {
  if (!err || typeof err !== 'object') return false;
  return err.name === 'DrizzleQueryError' || 'sqlState' in err || 'sql' in err || 'query' in err || isDatabaseError(err.cause as DbErrorLike);
}

/**
 * Database errors keep only their class, codes and call stack: their messages quote SQL,
 * bound values and duplicate keys, any of which can be a citizen's identifier.
 */
export function serializeError(err: unknown): Record<string, unknown> {
  const e = err as DbErrorLike;
  if (!isDatabaseError(e)) return pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  const root = (e.cause && typeof e.cause === 'object' ? e.cause : e) as DbErrorLike;
  return {
    type: e.name ?? 'Error',
    message: '[database error: SQL and values redacted]',
    code: root.code,
    errno: root.errno,
    sqlState: root.sqlState,
    stack: e.stack?.split('\n').filter((l) => /^\s+at /.test(l)).join('\n'),
  };
}

/**
 * stdout for the server and worker processes. Asynchronous: sonic-boom gathers the lines
 * written while a write is in flight into the next one, so a busy server makes one write call
 * per batch instead of one per request (a synchronous write per access-log line was ~14 % of
 * the server's CPU in the lookup benchmark); an idle server still writes each line at once.
 * What is pending is written synchronously at exit, including exits after a fatal error.
 */
export function stdoutDestination(): DestinationStream {
  const dest = pino.destination({ dest: 1, sync: false });
  process.on('exit', () => {
    try {
      dest.flushSync();
    } catch {
      /* stdout already gone */
    }
  });
  return dest;
}

export function createLogger(opts: { level: string; destination?: DestinationStream; base?: Record<string, unknown> }): Logger {
  return pino(
    {
      level: opts.level,
      base: opts.base ?? { service: 'govportal' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
    },
    opts.destination,
  );
}
