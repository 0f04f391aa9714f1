import fs from 'node:fs';
import path from 'node:path';

/**
 * PGlite has no lock on its data directory, and two processes writing one
 * directory corrupt it. This takes an exclusive lock file holding our pid; a
 * lock left by a dead process (kill -9) is taken over. The media directory is
 * locked the same way, because its crash sweep assumes one owner.
 */
export class DataDirLockedError extends Error {
  constructor(dir: string, pid: number, setting: string) {
    super(`The directory ${dir} is in use by process ${pid}. Stop that process or set ${setting} to another directory.`);
    this.name = 'DataDirLockedError';
  }
}

/** Directories this process holds, so a second acquire in the same process is refused too. */
const held = new Set<string>();

export function acquireDataDirLock(dir: string, setting = 'DATA_DIR'): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, 'civic-ops.lock');
  if (held.has(lockPath)) throw new DataDirLockedError(dir, process.pid, setting);
  const mine = `${process.pid} ${processStartTime(process.pid) ?? ''}`.trim();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, mine, { flag: 'wx' });
      held.add(lockPath);
      return () => {
        held.delete(lockPath);
        try {
          if (fs.readFileSync(lockPath, 'utf8') === mine) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const [pidText, startText] = fs.readFileSync(lockPath, 'utf8').trim().split(' ');
      const holder = Number(pidText);
      if (Number.isInteger(holder) && holder > 0 && holdsLock(holder, startText)) {
        throw new DataDirLockedError(dir, holder, setting);
      }
      fs.unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not take the lock on ${dir}`);
}

/**
 * Whether the process named in a lock file is the one that wrote it. After a
 * crash its pid can belong to someone else: in a restarted container the new
 * server often gets the very same pid, and on a busy host any process may.
 * The start time written beside the pid tells them apart where /proc exists.
 */
function holdsLock(pid: number, startTime: string | undefined): boolean {
  // Our own pid in a lock we do not hold is a previous life's.
  if (pid === process.pid) return false;
  if (!isAlive(pid)) return false;
  const now = processStartTime(pid);
  return !startTime || !now || now === startTime;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The kernel's start time of a process (field 22 of /proc/PID/stat), or undefined without /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
