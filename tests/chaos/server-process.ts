import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const TSX = path.resolve('node_modules/.bin/tsx');
const live = new Set<ChildProcess>();

// A harness that dies (an assertion, Ctrl-C) must not leave servers holding
// ports and data directories behind, so every group still running is killed
// on the way out.
function killAllSync() {
  for (const child of live) killGroup(child, 'SIGKILL');
}
process.once('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllSync();
    process.exit(130);
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // tsx runs the server in a child node process; only the group reaches both.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export class ServerStartError extends Error {}

/**
 * The real server (`tsx server/main.ts`) as a child process in its own
 * process group, so SIGKILL takes the loader and the server down together,
 * the way a crash or an OOM kill would.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly baseUrl: string;

  constructor(private readonly env: NodeJS.ProcessEnv, port: number, readonly logFile: string) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The pid of the spawned tsx process, the leader of the server's process group. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the server; resolves once it is listening. */
  spawn(): { ready: Promise<void> } {
    if (this.child) throw new Error('server already running');
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n=== start ${new Date().toISOString()} ===\n`);
    const child = spawn(TSX, ['server/main.ts'], { env: this.env, detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.child = child;
    live.add(child);
    let exitedEarly = false;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exitedEarly = true;
        live.delete(child);
        resolve();
      });
    });
    const ready = (async () => {
      for (;;) {
        if (this.child !== child) throw new ServerStartError('killed during startup');
        if (exitedEarly) throw new ServerStartError(`the server exited during startup:\n${this.logTail()}`);
        try {
          const res = await fetch(`${this.baseUrl}/api/health`, { signal: AbortSignal.timeout(5_000) });
          await res.body?.cancel();
          if (res.ok) return;
        } catch {
          // Not listening yet.
        }
        await sleep(100);
      }
    })();
    return { ready };
  }

  /** kill -9 of the whole group; resolves when the processes are gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    killGroup(child, 'SIGKILL');
    await this.exited;
    // The exit of the tsx parent can precede that of its child by a moment; a
    // restart before it is gone would find its data-directory lock alive.
    await waitForGroupGone(child.pid!, 5_000);
  }

  /** A clean shutdown (SIGTERM); falls back to SIGKILL if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
    await waitForGroupGone(child.pid!, 30_000);
  }

  logTail(lines = 40): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

async function waitForGroupGone(pgid: number, withinMs: number) {
  for (let waited = 0; waited < withinMs; waited += 25) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(25);
  }
  throw new Error(`process group ${pgid} is still running ${withinMs} ms after it was told to stop`);
}

export function sleep(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}
