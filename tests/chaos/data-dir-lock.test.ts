import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from '../../server/db/data-dir-lock.js';

const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civic-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('data-directory lock after a crash', () => {
  it('refuses a second holder in the same process, and frees the directory on release', () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    release();
    expect(fs.existsSync(path.join(dir, 'civic-ops.lock'))).toBe(false);
    acquireDataDirLock(dir)();
  });

  it('refuses a directory held by another live process', async () => {
    const dir = tempDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const start = fs.readFileSync(`/proc/${holder.pid}/stat`, 'utf8');
      const startTime = start.slice(start.lastIndexOf(')') + 2).split(' ')[19];
      fs.writeFileSync(path.join(dir, 'civic-ops.lock'), `${holder.pid} ${startTime}`);
      expect(() => acquireDataDirLock(dir, 'MEDIA_DIR')).toThrow(/in use by process \d+.*MEDIA_DIR/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock whose pid now names another process (pid reuse after kill -9)', () => {
    const dir = tempDir();
    // pid 1 is alive, but it is not the process that wrote this start time.
    fs.writeFileSync(path.join(dir, 'civic-ops.lock'), '1 not-its-start-time');
    acquireDataDirLock(dir)();
  });

  it('takes over a lock holding its own pid, as a restarted container sees', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'civic-ops.lock'), String(process.pid));
    acquireDataDirLock(dir)();
  });
});
