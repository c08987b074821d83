import { parseArgs } from 'node:util';
import { connectDatabase, ensureDatabase } from '../../db/connect';
import { runMigrations } from '../../db/migrate';
import { loadConfig } from '../config';
import { AppError } from '../http/errors';
import { createAuditLog } from './audit';
import { STAFF_ROLES } from './roles';
import { displayNameSchema, passwordSchema, roleSchema, usernameSchema } from './schema';
import { createStaffService } from './service';
import { createStaffSessionStore } from './sessions';

// `npm run staff:create -- --username <u> --role <r> [--display-name <name>] [--password <p>]`
// Without --password the password is read from stdin (first line; hidden when typed at a terminal).
// Exit codes: 0 created, 1 refused or failed (taken, weak password, database), 2 usage error.
const USAGE = `usage: npm run staff:create -- --username <name> --role <${STAFF_ROLES.join('|')}> [--display-name <name>] [--password <password>]
  the password is read from stdin when --password is not given\n`;

function fail(code: number, message: string): never {
  process.stderr.write(`staff:create: ${message}\n`);
  if (code === 2) process.stderr.write(USAGE);
  process.exit(code);
}

async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    process.stderr.write('password: ');
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    return new Promise((resolve) => {
      let value = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.setRawMode(false);
            stdin.off('data', onData);
            stdin.pause();
            process.stderr.write('\n');
            return resolve(value);
          }
          if (ch === '\u0003') fail(1, 'cancelled');
          if (ch === '\u007f') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  }
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

let args;
try {
  args = parseArgs({
    options: { username: { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' }, password: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (err) {
  fail(2, err instanceof Error ? err.message : String(err));
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (!args.username) fail(2, '--username is required');
if (!args.role) fail(2, '--role is required');
const username = usernameSchema.safeParse(args.username);
if (!username.success) fail(2, `--username: ${username.error.issues[0]?.message ?? 'invalid'}`);
const role = roleSchema.safeParse(args.role);
if (!role.success) fail(2, `--role must be one of ${STAFF_ROLES.join(', ')}`);
const displayName = displayNameSchema.safeParse(args['display-name'] ?? username.data);
if (!displayName.success) fail(2, '--display-name must be 1–64 characters');
const password = passwordSchema.safeParse(args.password ?? (await readPassword()));
if (!password.success) fail(2, 'a password is required (--password or stdin), at most 256 characters');

const config = loadConfig();
try {
  await ensureDatabase(config.database.url);
  await runMigrations(config.database.url);
} catch (err) {
  // The driver's cause is the readable part (drizzle's own message repeats the whole SQL).
  const e = err as { message?: string; cause?: { message?: string } };
  fail(1, `the database is not ready: ${e.cause?.message ?? e.message ?? String(err)}`);
}
const handle = connectDatabase(config.database.url, 2);
try {
  const staff = createStaffService({
    db: handle.db,
    sessions: createStaffSessionStore({ db: handle.db, secret: config.sessionSecret, idleMinutes: config.staff.sessionIdleMinutes, absoluteHours: config.staff.sessionAbsoluteHours }),
    audit: createAuditLog(),
    scrypt: config.staff.scrypt,
    passwordMinLength: config.staff.passwordMinLength,
  });
  const created = await staff.create({ system: 'cli' }, { username: username.data, displayName: displayName.data, role: role.data, password: password.data });
  process.stdout.write(`created staff account ${created.username} (id ${created.id}, role ${created.role})\n`);
  process.exitCode = 0;
} catch (err) {
  // AppError messages are written for people (Chinese, as in the admin view); anything else is internal.
  process.stderr.write(`staff:create: ${err instanceof AppError ? `${err.code}: ${err.message}` : `failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
