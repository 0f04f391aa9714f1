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

/**
 * User data inside the video bitstream, which `-map_metadata -1` never sees:
 * H.264 SEI (NAL type 6) and HEVC prefix/suffix SEI (39, 40) carry
 * "user data unregistered" payloads where some cameras and apps write GPS
 * positions; AV1 has metadata OBUs (type 5). filter_units drops those units
 * without decoding; they are optional for playback. VP8 and VP9 frames carry
 * no such payloads. Anything else is re-encoded to H.264 (its own SEI dropped too).
 */
const USER_DATA_FILTERS: Record<string, string> = {
  h264: 'filter_units=remove_types=6',
  hevc: 'filter_units=remove_types=39|40',
  av1: 'filter_units=remove_types=5',
};
const WITHOUT_USER_DATA = new Set(['vp8', 'vp9']);

async function videoCodec(file: string): Promise<string | undefined> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file], {
    timeout: 30_000, killSignal: 'SIGKILL',
  });
  return stdout.trim().split('\n')[0] || undefined;
}

/**
 * Remuxes a video without any container or stream metadata (GPS lives there)
 * and without user data in the bitstream (see USER_DATA_FILTERS); the picture
 * is copied, not re-encoded, unless its codec's user data cannot be removed.
 */
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
    const codec = await videoCodec(file);
    if (!codec) throw new Error('no video stream');
    const filter = USER_DATA_FILTERS[codec];
    const video = filter ? ['-c:v', 'copy', '-bsf:v', filter]
      : WITHOUT_USER_DATA.has(codec) ? ['-c:v', 'copy']
      : ext === 'webm' ? ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '33', '-deadline', 'realtime', '-cpu-used', '8']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-bsf:v', USER_DATA_FILTERS.h264!];
    await run('ffmpeg', [
      '-v', 'error', '-nostdin', '-i', file,
      '-map', '0:v:0', '-map', '0:a:0?', ...video, '-c:a', 'copy',
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
