import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { DomainError, validationFailed } from '../errors.js';
import { msg } from '../messages.js';
import { removeTemporaryFiles, type UploadedFile } from '../services/media/uploads.js';

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

export interface ParsedMultipart {
  fields: Record<string, string>;
  files: UploadedFile[];
}

const MB = 1024 * 1024;

/**
 * Streams a multipart body to temporary files with byte caps, hashing as it
 * goes. Nothing is buffered whole: a cap is enforced while the bytes arrive.
 *
 * A request can fail here; the process cannot. Each file is written through
 * one `pipeline` (busboy's part → meter → file), so every stream in it has its
 * errors handled and is destroyed with the others; the first failure (a limit,
 * a malformed body, a client gone mid-file) aborts all of them, waits until
 * they have settled, removes every temporary file and throws a 4xx. A body
 * left unread is not drained: the reply closes the connection instead.
 */
export async function parseMultipart(request: Request, limits: MultipartLimits, tmpDir: string): Promise<ParsedMultipart> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data;/i.test(contentType)) {
    throw new DomainError('unsupported_media_type', msg('upload.not_multipart'));
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxTotalBytes) throw unread(tooLarge(limits));
  if (!request.body) throw validationFailed({ _: msg('upload.no_body') });
  await fsp.mkdir(tmpDir, { recursive: true });

  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  const writes: Promise<void>[] = [];
  // A writer destroyed while still opening its file creates the file afterwards; its 'close' says it is done for good.
  const closed: Promise<void>[] = [];
  const counts: Record<string, number> = {};
  const abort = new AbortController();
  let failure: DomainError | undefined;
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
            parts: limits.maxFields + 20,
          },
        });
      } catch {
        reject(unread(validationFailed({ _: msg('upload.malformed') })));
        return;
      }
      const fail = (error: DomainError) => {
        if (failure) return;
        failure = error;
        // Stop reading; destroying the body would cancel the socket before the reply is written.
        body.unpipe(parser);
        body.pause();
        if (!body.readableEnded) error.closeConnection = true;
        abort.abort(error);
        reject(error);
      };
      body.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxTotalBytes) fail(tooLarge(limits));
      });
      body.on('error', () => fail(interrupted()));
      parser.on('error', () => fail(validationFailed({ _: msg('upload.malformed') })));

      parser.on('field', (name, value, info) => {
        if (failure) return;
        if (info.valueTruncated) return fail(validationFailed({ [name]: msg('upload.field_too_long', { field: name }) }));
        fields[name] = value;
      });
      parser.on('file', (rawName, stream) => {
        // busboy may destroy a part it is still emitting (the body is cut); nobody else listens to a refused one.
        stream.on('error', ignore);
        // After a failure busboy still hands over parts it had buffered: they are discarded.
        if (failure) return void stream.resume();
        // busboy gives an unnamed part no name at all.
        const name = rawName ?? '';
        // Own keys only: "constructor" or "toString" must not find Object's and pass as a file field.
        const limit = Object.hasOwn(limits.files, name) ? limits.files[name] : undefined;
        if (!limit) {
          stream.resume();
          const label = name || '(unnamed part)';
          return fail(validationFailed({ [label]: msg('upload.not_a_file_field', { field: label }) }));
        }
        const index = counts[name] ?? 0;
        counts[name] = index + 1;
        if (index >= limit.maxFiles) {
          stream.resume();
          return fail(validationFailed({ [name]: msg('upload.too_many_in_field', { max: limit.maxFiles, field: name }) }));
        }
        // Listed before the file exists, so the cleanup below cannot miss it.
        const file: UploadedFile = { field: name, index, tmpPath: path.join(tmpDir, `${crypto.randomUUID()}.upload`), bytes: 0, sha256: '' };
        files.push(file);
        const hash = crypto.createHash('sha256');
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            file.bytes += chunk.length;
            if (file.bytes > limit.maxBytes) {
              return done(new DomainError('payload_too_large', msg('upload.file_too_large', { field: name, limit: limit.label }), {
                [name]: msg('upload.file_too_large.field', { limit: limit.label }),
              }));
            }
            hash.update(chunk);
            done(null, chunk);
          },
        });
        const out = fs.createWriteStream(file.tmpPath, { flags: 'wx' });
        closed.push(new Promise<void>((resolve) => out.once('close', () => resolve())));
        // pipeline reports the first error of each stream; a late one (a write finishing after the
        // abort destroyed its stream) must still find a listener, or Node throws it and the process exits.
        meter.on('error', ignore);
        out.on('error', ignore);
        writes.push(
          pipeline(stream, meter, out, { signal: abort.signal }).then(
            () => void (file.sha256 = hash.digest('hex')),
            (error: unknown) => fail(error instanceof DomainError ? error : interrupted()),
          ),
        );
      });
      parser.on('filesLimit', () => fail(validationFailed({ _: msg('upload.too_many_files') })));
      parser.on('fieldsLimit', () => fail(validationFailed({ _: msg('upload.too_many_fields') })));
      parser.on('partsLimit', () => fail(validationFailed({ _: msg('upload.too_many_parts') })));
      // busboy closes once the final boundary is parsed; the last file may still be flushing to disk.
      parser.on('close', () => void Promise.all(writes).then(() => failure || resolve()));
      body.pipe(parser);
    });
  } catch (error) {
    // Every pipeline settles once aborted and every file is closed (created, if its open was under way); only then can the files go.
    await Promise.all(writes);
    await Promise.all(closed);
    await removeTemporaryFiles(files);
    throw error;
  }
  return { fields, files };
}

const ignore = () => {};

function interrupted() {
  return validationFailed({ _: msg('upload.interrupted') });
}

/** Refused before the body was read: the reply closes the connection rather than wait for the rest. */
function unread(error: DomainError) {
  error.closeConnection = true;
  return error;
}

function tooLarge(limits: MultipartLimits) {
  return new DomainError('payload_too_large', msg('upload.total_too_large', { mb: Math.round(limits.maxTotalBytes / MB) }));
}
