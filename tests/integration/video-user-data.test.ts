import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, postReport, reportForm } from './factories.js';

/**
 * Finding 12 of issue #13: GPS written into the video bitstream (H.264 SEI
 * "user data unregistered", HEVC prefix SEI) survived the metadata-stripping
 * remux. Videos with such a payload go through POST /api/reports; the stored
 * file must no longer hold it and must still be a playable video.
 */
const GPS = 'GPS:12.6667,108.0500';
const UUID = '086f3693-b7b3-4f2c-9653-21492feee5b8';

const encoders = (() => {
  try {
    return execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  } catch {
    return '';
  }
})();
const hasX264 = /libx264/.test(encoders);
const hasX265 = /libx265/.test(encoders);

function ffmpeg(args: string[]) {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

/** H.264 with the GPS string in an SEI user-data NAL, as ffmpeg's h264_metadata writes it. */
function h264WithGps(dir: string): Buffer {
  const out = path.join(dir, 'sei.mp4');
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
    // The option parser and the filter list each take a level of escaping off ':' and ','.
    '-bsf:v', `h264_metadata=sei_user_data=${UUID}+${GPS.replace(':', '\\\\\\:').replace(',', '\\,')}`, '-f', 'mp4', out,
  ]);
  return fs.readFileSync(out);
}

/**
 * HEVC with the GPS string in a prefix SEI (NAL type 39, user_data_unregistered),
 * spliced into the Annex B stream after the parameter sets, then put in MP4.
 */
function hevcWithGps(dir: string): Buffer {
  const raw = path.join(dir, 'raw.hevc');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10', '-c:v', 'libx265', '-x265-params', 'log-level=none', '-pix_fmt', 'yuv420p', '-f', 'hevc', raw]);
  const stream = fs.readFileSync(raw);
  const uuid = Buffer.from(UUID.replaceAll('-', ''), 'hex');
  const payload = Buffer.concat([uuid, Buffer.from(GPS)]);
  // NAL header 39 (prefix SEI), layer 0, temporal id 1; payload type 5, size, payload, RBSP stop bit. No 00 00 in it.
  const sei = Buffer.concat([Buffer.from([0, 0, 0, 1, 39 << 1, 1, 5, payload.length]), payload, Buffer.from([0x80])]);
  // The first slice follows the parameter sets: find the first NAL whose type is below 32 (VCL).
  let at = -1;
  for (let i = 0; i + 4 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1 && ((stream[i + 3]! >> 1) & 0x3f) < 32) {
      at = i > 0 && stream[i - 1] === 0 ? i - 1 : i;
      break;
    }
  }
  if (at < 0) throw new Error('no slice in the HEVC stream');
  const spliced = path.join(dir, 'sei.hevc');
  fs.writeFileSync(spliced, Buffer.concat([stream.subarray(0, at), sei, stream.subarray(at)]));
  const out = path.join(dir, 'sei-hevc.mp4');
  ffmpeg(['-f', 'hevc', '-framerate', '10', '-i', spliced, '-c', 'copy', '-tag:v', 'hvc1', '-f', 'mp4', out]);
  return fs.readFileSync(out);
}

function probe(file: string): { codec: string; packets: number } {
  const json = JSON.parse(execFileSync('ffprobe', [
    '-v', 'error', '-count_packets', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,nb_read_packets', '-of', 'json', file,
  ], { encoding: 'utf8' }));
  return { codec: json.streams[0].codec_name, packets: Number(json.streams[0].nb_read_packets) };
}

for (const engine of ENGINES) {
  describe(`video user data is stripped [${engine}]`, () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civic-sei-'));
    });

    async function uploadAndFetch(video: Buffer) {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const res = await postReport(app, reportForm({ field, video: { name: 'v.mp4', data: video } }));
      expect(res.status, await res.clone().text()).toBe(201);
      const view = await (await app.request(`/api/reports/${(await res.json()).code}`)).json();
      const media = view.media.find((m: { kind: string }) => m.kind === 'video');
      const served = await app.request(media.url);
      expect(served.headers.get('content-type')).toBe('video/mp4');
      const stored = Buffer.from(await served.arrayBuffer());
      const file = path.join(dir, `stored-${Date.now()}.mp4`);
      fs.writeFileSync(file, stored);
      return { stored, file };
    }

    it.runIf(hasX264)('removes a GPS string from H.264 SEI user data', async () => {
      const upload = h264WithGps(dir);
      // The payload is really there before, or the test would prove nothing.
      expect(upload.includes(Buffer.from(GPS))).toBe(true);
      const { stored, file } = await uploadAndFetch(upload);
      expect(stored.includes(Buffer.from(GPS))).toBe(false);
      expect(stored.includes(Buffer.from(UUID.replaceAll('-', ''), 'hex'))).toBe(false);
      expect(probe(file)).toEqual({ codec: 'h264', packets: 10 });
    });

    it.runIf(hasX265)('removes a GPS string from HEVC prefix SEI', async () => {
      const upload = hevcWithGps(dir);
      expect(upload.includes(Buffer.from(GPS))).toBe(true);
      expect(probe(path.join(dir, 'sei-hevc.mp4')).packets).toBe(10);
      const { stored, file } = await uploadAndFetch(upload);
      expect(stored.includes(Buffer.from(GPS))).toBe(false);
      // x265 writes its own version and options into an SEI as well: gone too.
      expect(stored.includes(Buffer.from('x265 (build'))).toBe(false);
      expect(probe(file)).toEqual({ codec: 'hevc', packets: 10 });
    });
  });
}
