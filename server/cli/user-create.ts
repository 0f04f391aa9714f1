// npm run user:create -- --username U --role R [--unit ID] [--name "Display Name"] --password-stdin
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { createDb } from '../db/create-db.js';
import { engineOf } from '../db/engine.js';
import { migrate } from '../db/migrate.js';
import { insertStaff } from '../db/staff.repo.js';
import { findUnitById } from '../db/units.repo.js';
import { hashPassword } from '../services/auth.js';
import { passwordProblem } from '../services/password-policy.js';

const USAGE = 'Usage: npm run user:create -- --username U --role admin|dispatcher|officer|leader [--unit ID] [--name "Display Name"] --password-stdin';
const ROLES = ['admin', 'dispatcher', 'officer', 'leader'] as const;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { username: { type: 'string' }, role: { type: 'string' }, unit: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
const username = values.username ?? fail('--username is required');
if (!/^[a-z0-9._-]{3,40}$/.test(username)) fail('--username: 3–40 of a-z, 0-9, . _ -');
const role = (ROLES as readonly string[]).includes(values.role ?? '') ? (values.role as (typeof ROLES)[number]) : fail('--role must be admin, dispatcher, officer or leader');
const unitId = values.unit === undefined ? null : Number(values.unit);
if (unitId !== null && !(Number.isInteger(unitId) && unitId > 0)) fail('--unit must be a unit id');
if (role === 'officer' && unitId === null) fail('An officer needs --unit');
// Passwords never go on the command line, where ps and shell history would keep them.
if (!values['password-stdin']) fail('Give the password on standard input with --password-stdin');

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
const problem = passwordProblem(password, [username, values.name ?? '']);
if (problem) fail(`The password is refused: ${problem}`);

let config;
try {
  config = loadConfig();
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}
const db = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db);
  if (unitId !== null && !(await findUnitById(db, unitId))) fail(`No unit with id ${unitId}`);
  const user = await insertStaff(db, { username, display_name: values.name ?? username, password_hash: await hashPassword(password), role, unit_id: unitId })
    .catch((e) => ((e as { code?: string }).code === '23505' ? fail(`The username ${username} is taken`) : Promise.reject(e)));
  console.log(`Created ${user.role} ${user.username} (id ${user.id}).`);
} finally {
  await engineOf(db).close();
}
