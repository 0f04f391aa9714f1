import fsp from 'node:fs/promises';

/** A file a request uploaded, spooled to a temporary path by the HTTP layer and hashed on the way. */
export interface UploadedFile {
  /** The form field it came in ("photos", "video", …). */
  field: string;
  index: number;
  tmpPath: string;
  bytes: number;
  sha256: string;
}

export async function removeTemporaryFiles(files: UploadedFile[]): Promise<void> {
  await Promise.all(files.map((f) => fsp.rm(f.tmpPath, { force: true })));
}
