import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where processed media lives. Local disk today; an S3-compatible store can
 * implement the same four operations later (a range read is a ranged GET).
 */
export interface MediaStorage {
  /** Moves a finished local file into the store under key, durably. */
  putFile(key: string, localPath: string): Promise<void>;
  /** The file's size, and a way to read all of it or the inclusive byte range start–end; no file is opened until read() is called. */
  open(key: string): Promise<StoredFile | undefined>;
  delete(key: string): Promise<void>;
  /** Every key in the store (only those written before `before`, when given), for orphan sweeps. */
  list(before?: Date): AsyncIterable<string>;
}

export interface StoredFile {
  bytes: number;
  read(range?: { start: number; end: number }): Readable;
}

const KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export class LocalDiskStorage implements MediaStorage {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private pathOf(key: string): string {
    // Keys are server-generated; refusing anything else rules out path traversal.
    if (!KEY.test(key)) throw new Error(`Invalid media key: ${key}`);
    return path.join(this.dir, key.slice(0, 2), key);
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await syncFile(localPath);
    await fsp.rename(localPath, target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EXDEV') throw error;
      await fsp.copyFile(localPath, target);
      await syncFile(target);
      await fsp.unlink(localPath);
    });
    // The file's name lives in its directory: without this, a power cut can
    // lose a file whose report row is already committed.
    await syncFile(path.dirname(target));
  }

  async open(key: string) {
    const file = this.pathOf(key);
    try {
      const stat = await fsp.stat(file);
      return { bytes: stat.size, read: (range?: { start: number; end: number }) => fs.createReadStream(file, range) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }

  async *list(before?: Date): AsyncIterable<string> {
    for (const shard of await fsp.readdir(this.dir, { withFileTypes: true }).catch(() => [])) {
      // tmp/ holds uploads in progress; loose files (the lock) are not media.
      if (shard.name === 'tmp' || !shard.isDirectory()) continue;
      for (const key of await fsp.readdir(path.join(this.dir, shard.name)).catch(() => [] as string[])) {
        if (before) {
          const stat = await fsp.stat(path.join(this.dir, shard.name, key)).catch(() => undefined);
          if (!stat || stat.mtime >= before) continue;
        }
        yield key;
      }
    }
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
