import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { DomainError } from '../../errors.js';
import { msg } from '../../messages.js';

const run = promisify(execFile);

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'];
const HEIC_TYPES = ['image/heic', 'image/heif'];
/** QuickTime is what iPhones record; it is remuxed to MP4, which every browser plays. */
export const VIDEO_TYPES = ['video/mp4', 'video/webm', 'video/quicktime'];
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
    const types = allowed.map((t) => (t === 'video/quicktime' ? 'MOV' : t.split('/')[1]!.toUpperCase())).join(', ');
    throw new DomainError('unsupported_media_type', msg('media.type_refused', { field: label, types }), {
      [label]: msg('media.type_refused.field', { type: type?.mime ?? '?' }),
    });
  }
  return type.mime;
}

/**
 * Re-encodes a photo: orientation applied, long side ≤ 2560 px, all metadata
 * (EXIF, GPS, XMP) dropped because sharp writes none unless asked, plus a thumbnail.
 */
export async function processPhoto(file: string, label: string): Promise<ProcessedMedia> {
  const type = await detectType(file, PHOTO_TYPES, label);
  if (HEIC_TYPES.includes(type) && !canDecodeHeic()) throw heicUnsupported(label);
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
      throw new DomainError('payload_too_large', msg('media.too_many_pixels', { field: label }), { [label]: msg('media.too_many_pixels.field') });
    }
    // A HEIF whose compression this libvips lacks (an AVIF-only build given HEVC, say).
    if (/heif|heic|compression format/i.test(message)) throw heicUnsupported(label);
    throw new DomainError('unsupported_media_type', msg('media.not_an_image', { field: label }), { [label]: msg('media.not_an_image.field') });
  }
}

/**
 * Whether this server can read HEIC photos (HEVC inside HEIF). sharp's own
 * libvips reads AVIF only, for patent reasons; libvips lists ".heic" among
 * the suffixes it loads only when its libheif has an HEVC decoder.
 */
export function canDecodeHeic(): boolean {
  return sharp.format.heif.input.fileSuffix?.includes('.heic') ?? false;
}

function heicUnsupported(label: string) {
  return new DomainError('heic_unsupported', msg('media.heic_unsupported', { field: label }), { [label]: msg('media.heic_unsupported.field') });
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

/** The codecs a container can hold as they are; anything else is re-encoded. */
const COPYABLE = {
  mp4: { video: new Set(['h264', 'hevc', 'av1', 'vp9']), audio: new Set(['aac', 'mp3', 'alac', 'ac3', 'eac3', 'opus']) },
  webm: { video: new Set(['vp8', 'vp9', 'av1']), audio: new Set(['opus', 'vorbis']) },
};

/** The codecs of the first video and first audio stream. */
async function probeCodecs(file: string): Promise<{ video?: string; audio?: string }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', file], {
    timeout: 30_000, killSignal: 'SIGKILL',
  });
  const streams = (JSON.parse(stdout) as { streams?: { codec_type?: string; codec_name?: string }[] }).streams ?? [];
  return {
    video: streams.find((st) => st.codec_type === 'video')?.codec_name,
    audio: streams.find((st) => st.codec_type === 'audio')?.codec_name,
  };
}

/** ffmpeg's arguments for the picture: copied with its user data removed where the container allows, else re-encoded. */
function videoArgs(codec: string, ext: 'mp4' | 'webm'): string[] {
  if (!COPYABLE[ext].video.has(codec) || (!USER_DATA_FILTERS[codec] && !WITHOUT_USER_DATA.has(codec))) {
    return ext === 'webm'
      ? ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '33', '-deadline', 'realtime', '-cpu-used', '8']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-bsf:v', USER_DATA_FILTERS.h264!];
  }
  const filter = USER_DATA_FILTERS[codec];
  // Safari plays HEVC in MP4 only under the hvc1 tag; ffmpeg would write hev1.
  return ['-c:v', 'copy', ...(filter ? ['-bsf:v', filter] : []), ...(codec === 'hevc' ? ['-tag:v', 'hvc1'] : [])];
}

/** ffmpeg's arguments for the sound (iPhones record AAC, which is copied; PCM and others are encoded). */
function audioArgs(codec: string | undefined, ext: 'mp4' | 'webm'): string[] {
  if (!codec || COPYABLE[ext].audio.has(codec)) return ['-c:a', 'copy'];
  return ext === 'webm' ? ['-c:a', 'libopus', '-b:a', '96k'] : ['-c:a', 'aac', '-b:a', '128k'];
}

/**
 * Remuxes a video without any container or stream metadata (GPS lives there:
 * MP4 and QuickTime ©xyz, Apple's com.apple.quicktime.location keys, timed
 * metadata tracks, none of which are mapped) and without user data in the
 * bitstream (see USER_DATA_FILTERS). The picture is copied, not re-encoded,
 * unless the output container cannot hold it or its user data cannot be
 * removed. QuickTime (.mov) becomes MP4, with the index first so playback
 * starts before the whole file has arrived.
 */
export async function processVideo(file: string, label: string): Promise<ProcessedMedia> {
  const detected = await detectType(file, VIDEO_TYPES, label);
  if (!(await canProcessVideo())) {
    throw new DomainError('video_unavailable', msg('media.video_unavailable'), { [label]: msg('media.video_unavailable.field') });
  }
  const id = crypto.randomBytes(16).toString('hex');
  const ext = detected === 'video/webm' ? 'webm' : 'mp4';
  const mainPath = path.join(path.dirname(file), `${id}.${ext}`);
  try {
    const codecs = await probeCodecs(file);
    if (!codecs.video) throw new Error('no video stream');
    await run('ffmpeg', [
      '-v', 'error', '-nostdin', '-i', file,
      '-map', '0:v:0', '-map', '0:a:0?', ...videoArgs(codecs.video, ext), ...audioArgs(codecs.audio, ext),
      '-map_metadata', '-1', '-map_metadata:s:v', '-1', '-map_metadata:s:a', '-1', '-map_chapters', '-1',
      '-fflags', '+bitexact', ...(ext === 'mp4' ? ['-movflags', '+faststart'] : []),
      '-f', ext, mainPath,
    ], { timeout: VIDEO_TIMEOUT_MS, killSignal: 'SIGKILL' });
  } catch {
    await fsp.rm(mainPath, { force: true });
    throw new DomainError('unsupported_media_type', msg('media.not_a_video', { field: label }), { [label]: msg('media.not_a_video.field') });
  }
  const { size } = await fsp.stat(mainPath);
  return { id, kind: 'video', mime: `video/${ext}`, mainPath, mainKey: `${id}.${ext}`, bytes: size };
}
