/**
 * The offline submission queue on disk: one IndexedDB store keyed by the
 * report's Idempotency-Key, holding the form's fields and its photos and
 * video as Blobs. Survives reloads and closing the app.
 */
import type { NewReportSubmission } from '../api.js';

export type QueuedState = 'waiting' | 'sending' | 'failed';

export interface StoredFile {
  name: string;
  type: string;
  lastModified: number;
  blob: Blob;
}

export interface QueuedReport {
  /** The Idempotency-Key: a resend after a lost answer can never file twice. */
  key: string;
  createdAt: string;
  state: QueuedState;
  /** Why the server refused it, for `failed`. */
  error?: string;
  report: Omit<NewReportSubmission, 'photos' | 'video'>;
  photos: StoredFile[];
  video?: StoredFile;
}

const DB_NAME = 'civic-ops-citizen';
const STORE = 'outbox';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      // Resolve once the transaction is durable, not merely when the request succeeded.
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export const putQueued = (item: QueuedReport) => run('readwrite', (s) => s.put(item)).then(() => undefined);
export const deleteQueued = (key: string) => run('readwrite', (s) => s.delete(key)).then(() => undefined);
export const listQueued = () =>
  run<QueuedReport[]>('readonly', (s) => s.getAll() as IDBRequest<QueuedReport[]>).then((all) => all.sort((a, b) => a.createdAt.localeCompare(b.createdAt)));

/** A File as something IndexedDB keeps (Blob + name), and back. */
export function storeFile(file: File): StoredFile {
  return { name: file.name, type: file.type, lastModified: file.lastModified, blob: file };
}

export function restoreFile(f: StoredFile): File {
  return new File([f.blob], f.name, { type: f.type, lastModified: f.lastModified });
}
