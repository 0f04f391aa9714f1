import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { DomainError, validationFailed } from '../errors.js';

export interface FileLimit {
  maxFiles: number;
  maxBytes: number;
  /** Shown to the user, e.g. "10 MB". */
  label: string;
}

export interface MultipartLimits {
  files: Record<string, FileLimit>;
  maxTotalBytes: number;
  maxFields: number;
  maxFieldBytes: number;
}

export interface UploadedFile {
  field: string;
  index: number;
  tmpPath: string;
  bytes: number;
  sha256: string;
}

export interface ParsedMultipart {
  fields: Record<string, string>;
  files: UploadedFile[];
}

const MB = 1024 * 1024;

/**
 * Streams a multipart body to temporary files with byte caps, hashing as it
 * goes. Nothing is buffered whole: a cap is enforced while the bytes arrive,
 * and on any failure every temporary file is removed before the error is thrown.
 */
export async function parseMultipart(request: Request, limits: MultipartLimits, tmpDir: string): Promise<ParsedMultipart> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data;/i.test(contentType)) {
    throw new DomainError(415, 'unsupported_media_type', 'Send the report as multipart/form-data');
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxTotalBytes) throw tooLarge(limits);
  if (!request.body) throw validationFailed({ _: 'The request has no body' });
  await fsp.mkdir(tmpDir, { recursive: true });

  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  const pending: Promise<void>[] = [];
  const writers: fs.WriteStream[] = [];
  const counts: Record<string, number> = {};
  let total = 0;
  const body = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);

  try {
    await new Promise<void>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: { 'content-type': contentType },
          limits: {
            fields: limits.maxFields,
            fieldSize: limits.maxFieldBytes,
            files: Object.values(limits.files).reduce((n, l) => n + l.maxFiles, 0),
            fileSize: Math.max(...Object.values(limits.files).map((l) => l.maxBytes)) + 1,
            parts: limits.maxFields + 20,
          },
        });
      } catch {
        reject(validationFailed({ _: 'The multipart body is malformed' }));
        return;
      }
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        body.unpipe(parser);
        body.destroy();
        // Unfinished files will never end now; close them so cleanup can run.
        for (const w of writers) w.destroy();
        reject(error);
      };
      body.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxTotalBytes) fail(tooLarge(limits));
      });
      body.on('error', () => fail(validationFailed({ _: 'The upload was interrupted' })));

      parser.on('field', (name, value, info) => {
        if (failed) return;
        if (info.valueTruncated) return fail(validationFailed({ [name]: `${name} is too long` }));
        fields[name] = value;
      });
      parser.on('file', (rawName, stream) => {
        // After a failure busboy still hands over parts it had buffered. A writer opened for one
        // now would wait forever for a body that was cut off, and the request would never end.
        if (failed) {
          stream.resume();
          return;
        }
        // busboy gives an unnamed part no name at all.
        const name = rawName ?? '';
        // Own keys only: "constructor" or "toString" must not find Object's and pass as a file field.
        const limit = Object.hasOwn(limits.files, name) ? limits.files[name] : undefined;
        if (!limit) {
          stream.resume();
          const label = name || '(unnamed part)';
          return fail(validationFailed({ [label]: `${label} is not an accepted file field` }));
        }
        const index = counts[name] ?? 0;
        counts[name] = index + 1;
        if (index >= limit.maxFiles) {
          stream.resume();
          return fail(validationFailed({ [name]: `At most ${limit.maxFiles} file(s) in ${name}` }));
        }
        const tmpPath = path.join(tmpDir, `${crypto.randomUUID()}.upload`);
        const hash = crypto.createHash('sha256');
        const out = fs.createWriteStream(tmpPath);
        writers.push(out);
        const file: UploadedFile = { field: name, index, tmpPath, bytes: 0, sha256: '' };
        files.push(file);
        stream.on('data', (chunk: Buffer) => {
          file.bytes += chunk.length;
          hash.update(chunk);
          if (file.bytes > limit.maxBytes) {
            fail(new DomainError(413, 'payload_too_large', `Each file in ${name} must be at most ${limit.label}`, {
              [name]: `Each file must be at most ${limit.label}`,
            }));
          }
        });
        pending.push(
          new Promise<void>((done, error) => {
            out.on('finish', () => {
              file.sha256 = hash.digest('hex');
            });
            out.on('close', () => (file.sha256 ? done() : error(new Error('upload interrupted'))));
            stream.on('error', (e) => {
              out.destroy();
              error(e);
            });
          }),
        );
        stream.pipe(out);
      });
      parser.on('filesLimit', () => fail(validationFailed({ _: 'Too many files' })));
      parser.on('fieldsLimit', () => fail(validationFailed({ _: 'Too many fields' })));
      parser.on('partsLimit', () => fail(validationFailed({ _: 'Too many parts' })));
      parser.on('error', () => fail(validationFailed({ _: 'The multipart body is malformed' })));
      parser.on('close', () => {
        if (!failed) Promise.all(pending).then(() => resolve(), () => fail(validationFailed({ _: 'The upload was interrupted' })));
      });
      body.pipe(parser);
    });
  } catch (error) {
    await Promise.allSettled(pending);
    await removeTemporaryFiles(files);
    throw error;
  }
  return { fields, files };
}

export async function removeTemporaryFiles(files: UploadedFile[]): Promise<void> {
  await Promise.all(files.map((f) => fsp.rm(f.tmpPath, { force: true })));
}

function tooLarge(limits: MultipartLimits) {
  return new DomainError(413, 'payload_too_large', `The upload is larger than ${Math.round(limits.maxTotalBytes / MB)} MB in total`);
}
