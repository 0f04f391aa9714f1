// npm run chaos -- --cycles N --engine embedded|postgres [--clients K] [--database-url URL] [--seed S] [--json FILE] [--keep]
// npm run chaos -- --worker-kill --kills N --engine embedded|postgres [--workers W] [...]: SIGKILL workers of the supervised server
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { chaosPassed, runChaos, type ChaosResult } from './harness.js';
import { runWorkerKill, workerKillPassed, type WorkerKillResult } from './worker-kill.js';

const USAGE = 'Usage: npm run chaos -- [--cycles N | --worker-kill --kills N [--workers W]] --engine embedded|postgres [--clients K] [--database-url URL] [--seed S] [--json FILE] [--keep]';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    engine: { type: 'string', default: 'embedded' },
    clients: { type: 'string', default: '4' },
    'database-url': { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'worker-kill': { type: 'boolean', default: false },
    kills: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const engine = values.engine;
if (engine !== 'embedded' && engine !== 'postgres') {
  console.error(`--engine must be embedded or postgres\n${USAGE}`);
  process.exit(2);
}
const cycles = Number(values.cycles);
const clients = Number(values.clients);
if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(clients) || clients < 1) {
  console.error(`--cycles and --clients must be positive integers\n${USAGE}`);
  process.exit(2);
}
// The harness wipes the database it is given, so it never defaults to DATABASE_URL.
const databaseUrl = values['database-url'] ?? process.env.CHAOS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/civic_chaos';

if (values['worker-kill']) {
  const kills = Number(values.kills);
  const workers = Number(values.workers);
  if (!Number.isInteger(kills) || kills < 1 || !Number.isInteger(workers) || workers < 1) {
    console.error(`--kills and --workers must be positive integers\n${USAGE}`);
    process.exit(2);
  }
  const r = await runWorkerKill({
    engine, kills, workers, clients, databaseUrl: engine === 'postgres' ? databaseUrl : undefined,
    seed: values.seed === undefined ? undefined : Number(values.seed),
    keepFiles: values.keep,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(r, null, 2));
  console.log(workerKillSummary(r));
  process.exit(workerKillPassed(r) ? 0 : 1);
}

const result = await runChaos({
  engine, cycles, clients, databaseUrl: engine === 'postgres' ? databaseUrl : undefined,
  seed: values.seed === undefined ? undefined : Number(values.seed),
  keepFiles: values.keep,
  log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
});
if (values.json) fs.writeFileSync(values.json, JSON.stringify(result, null, 2));
console.log(summary(result));
process.exit(chaosPassed(result) ? 0 : 1);

function summary(r: ChaosResult): string {
  const list = (label: string, items: string[]) => (items.length ? `\n  ${label}:\n    ${items.slice(0, 20).join('\n    ')}${items.length > 20 ? `\n    … ${items.length - 20} more` : ''}` : '');
  return [
    `\n${chaosPassed(r) ? 'PASS' : 'FAIL'}  engine ${r.engine}, seed ${r.seed}`,
    `  cycles                ${r.cycles} (${r.killedDuringStartup} killed during startup), median boot ${r.medianBootMs} ms`,
    `  submissions           ${r.submissions}; acknowledged (201) ${r.acknowledged}; reports stored ${r.reports}`,
    `  lost                  ${r.lost.length}`,
    `  duplicated            ${r.duplicated.length}`,
    `  replay mismatches     ${r.replayMismatches.length}`,
    `  broken media          ${r.brokenMedia.length}`,
    `  orphan media files    ${r.orphans.length} (startup sweeps removed ${r.swept.orphans} stored and ${r.swept.temporary} temporary files)`,
    `  outbox delivered      ${r.outbox.delivered}/${r.outbox.expected} (${r.outbox.redelivered} sent more than once)`,
    `  rejected / unresolved ${r.rejected.length} / ${r.unresolved}`,
    `  stored, never acked   ${r.committedUnacknowledged}`,
    `  client requests       ${r.clients.requests}: ${r.clients.connectionErrors} connection errors, ${r.clients.inProgress409} × 409 in progress, ${r.clients.serverErrors} × 5xx`,
    `  wall time             ${(r.wallMs / 1000).toFixed(0)} s`,
  ].join('\n')
    + list('lost', r.lost) + list('duplicated', r.duplicated) + list('replay mismatches', r.replayMismatches)
    + list('broken media', r.brokenMedia) + list('orphans', r.orphans) + list('outbox missing', r.outbox.missing)
    + list('reports without report.created', r.withoutCreatedEvent) + list('rejected', r.rejected)
    + list('5xx samples', r.clients.serverErrorSamples);
}

function workerKillSummary(r: WorkerKillResult): string {
  const sorted = [...r.replacedMs].sort((a, b) => a - b);
  return [
    `\n${workerKillPassed(r) ? 'PASS' : 'FAIL'}  worker kill, engine ${r.engine}, ${r.workers} worker(s), seed ${r.seed}`,
    `  kills                 ${r.kills}; supervisor survived: ${r.supervisorSurvived}`,
    `  replaced in (ms)      median ${sorted[Math.floor(sorted.length / 2)] ?? '-'}, max ${sorted.at(-1) ?? '-'}`,
    `  health probes         ${r.probes.total}; ${r.probes.duringRestart} during restarts, ${r.probes.failedDuringRestart} of them failed; ${r.probes.failedOnDyingWorker} on the dying worker failed; ${r.probes.failedOther} other failures`,
    `  submissions           ${r.submissions}; acknowledged (201) ${r.acknowledged}; reports stored ${r.reports}`,
    `  lost / duplicated     ${r.lost.length} / ${r.duplicated.length}`,
    `  broken media          ${r.brokenMedia.length}`,
    `  orphan media files    ${r.orphans.length} (the restart's sweep removed ${r.swept.orphans} stored and ${r.swept.temporary} temporary files)`,
    `  outbox delivered      ${r.outbox.delivered}/${r.outbox.expected}`,
    `  rejected / unresolved ${r.rejected.length} / ${r.unresolved}`,
    `  client requests       ${r.clients.requests}: ${r.clients.connectionErrors} connection errors, ${r.clients.serverErrors} × 5xx`,
    `  wall time             ${(r.wallMs / 1000).toFixed(0)} s`,
  ].join('\n');
}
