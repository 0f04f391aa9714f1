import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { DomainError } from '../../errors.js';

const run = promisify(execFile);

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'];
export const VIDEO_TYPES = ['video/mp4', 'video/webm'];
const MAX_PIXELS = 40_000_000;
const LONG_SIDE = 2560;
const THUMB_SIDE = 480;
const VIDEO_TIMEOUT_MS = 120_000;

export interface ProcessedMedia {
  id: string;
  kind: 'photo' | 'video';
  mime: string;
  /** Local files ready to move into storage. */
  mainPath: string;
  mainKey: string;
  thumbPath?: string;
  thumbKey?: string;
  bytes: number;
  width?: number;
  height?: number;
}

/** Detects the real type from magic bytes; the extension and Content-Type are never trusted. */
export async function detectType(file: string, allowed: string[], label: string): Promise<string> {
  const type = await fileTypeFromFile(file);
  if (!type || !allowed.includes(type.mime)) {
    throw new DomainError(415, 'unsupported_media_type', `${label}: only ${allowed.map((t) => t.split('/')[1].toUpperCase()).join(', ')} files are accepted`, {
      [label]: `File type ${type?.mime ?? 'unknown'} is not accepted`,
    });
  }
  return type.mime;
}

/**
 * Re-encodes a photo: orientation applied, long side ≤ 2560 px, all metadata
 * (EXIF, GPS, XMP) dropped because sharp writes none unless asked, plus a thumbnail.
 */
export async function processPhoto(file: string, label: string): Promise<ProcessedMedia> {
  await detectType(file, PHOTO_TYPES, label);
  const id = crypto.randomBytes(16).toString('hex');
  const dir = path.dirname(file);
  const mainPath = path.join(dir, `${id}.jpg`);
  const thumbPath = path.join(dir, `${id}-thumb.jpg`);
  try {
    const input = () => sharp(file, { limitInputPixels: MAX_PIXELS, failOn: 'error' }).rotate();
    const info = await input()
      .resize({ width: LONG_SIDE, height: LONG_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 82, mozjpeg: true })
      .toFile(mainPath);
    await input().resize({ width: THUMB_SIDE, height: THUMB_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toFile(thumbPath);
    return {
      id, kind: 'photo', mime: 'image/jpeg', mainPath, mainKey: `${id}.jpg`, thumbPath, thumbKey: `${id}-thumb.jpg`,
      bytes: info.size, width: info.width, height: info.height,
    };
  } catch (error) {
    await Promise.all([fsp.rm(mainPath, { force: true }), fsp.rm(thumbPath, { force: true })]);
    const message = error instanceof Error ? error.message : '';
    if (/pixel limit/i.test(message)) {
      throw new DomainError(413, 'payload_too_large', `${label}: the image has more than 40 megapixels`, { [label]: 'The image has more than 40 megapixels' });
    }
    if (/heif|heic|compression format/i.test(message)) {
      throw new DomainError(415, 'unsupported_media_type', `${label}: this HEIC photo cannot be decoded here; please send it as JPEG`, {
        [label]: 'HEIC encoding not supported; send JPEG',
      });
    }
    throw new DomainError(415, 'unsupported_media_type', `${label}: the file is not a valid image`, { [label]: 'Not a valid image' });
  }
}

let ffmpegAvailable: Promise<boolean> | undefined;

/** Whether ffmpeg is installed; without it videos are refused rather than stored with their metadata. */
export function canProcessVideo(): Promise<boolean> {
  ffmpegAvailable ??= run('ffmpeg', ['-version'], { timeout: 10_000 }).then(() => true, () => false);
  return ffmpegAvailable;
}

/** Remuxes a video without any container or stream metadata (GPS lives there), without re-encoding. */
export async function processVideo(file: string, label: string): Promise<ProcessedMedia> {
  const mime = await detectType(file, VIDEO_TYPES, label);
  if (!(await canProcessVideo())) {
    throw new DomainError(415, 'video_unavailable', 'This server cannot strip video metadata (ffmpeg is not installed), so videos are not accepted. Please attach photos instead.', {
      [label]: 'Videos are not accepted on this server',
    });
  }
  const id = crypto.randomBytes(16).toString('hex');
  const ext = mime === 'video/webm' ? 'webm' : 'mp4';
  const mainPath = path.join(path.dirname(file), `${id}.${ext}`);
  try {
    await run('ffmpeg', [
      '-v', 'error', '-nostdin', '-i', file,
      '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy',
      '-map_metadata', '-1', '-map_metadata:s:v', '-1', '-map_metadata:s:a', '-1', '-map_chapters', '-1',
      '-fflags', '+bitexact', ...(ext === 'mp4' ? ['-movflags', '+faststart'] : []),
      '-f', ext, mainPath,
    ], { timeout: VIDEO_TIMEOUT_MS, killSignal: 'SIGKILL' });
  } catch {
    await fsp.rm(mainPath, { force: true });
    throw new DomainError(415, 'unsupported_media_type', `${label}: the file is not a playable video`, { [label]: 'Not a playable video' });
  }
  const { size } = await fsp.stat(mainPath);
  return { id, kind: 'video', mime, mainPath, mainKey: `${id}.${ext}`, bytes: size };
}
