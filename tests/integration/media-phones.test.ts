import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canDecodeHeic } from '../../server/services/media/process.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, fixtureFile, postReport, reportForm } from './factories.js';

/**
 * Issue #16, item 5: media as real phones send it. iPhone videos are
 * QuickTime (.mov) with a location in their metadata; Safari on iOS plays a
 * video only from a server that answers Range requests; most servers cannot
 * decode HEIC, so the picker must not ask for it.
 */
const LOCATION = '+12.6667+108.0383/';
const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version']);
    return true;
  } catch {
    return false;
  }
})();

function ffmpeg(args: string[]) {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

/** One second of H.264 picture and sound in QuickTime, with the location as iPhones write it (©xyz, or Apple's mdta keys). */
function iphoneMov(dir: string, opts: { audio: 'aac' | 'pcm_s16le'; appleKeys: boolean }): string {
  const out = path.join(dir, `iphone-${opts.audio}-${opts.appleKeys}.mov`);
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc=duration=1:size=320x240:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', opts.audio, '-shortest',
    ...(opts.appleKeys
      ? ['-movflags', 'use_metadata_tags', '-metadata', `com.apple.quicktime.location.ISO6709=${LOCATION}`, '-metadata', 'com.apple.quicktime.make=Apple']
      : ['-metadata', `location=${LOCATION}`, '-metadata', 'title=secret']),
    '-f', 'mov', out,
  ]);
  return out;
}

function probe(file: string) {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name:format_tags:stream=codec_type,codec_name', '-of', 'json', file], { encoding: 'utf8' })) as {
    format: { format_name: string; tags?: Record<string, string> };
    streams: { codec_type: string; codec_name: string }[];
  };
}

function packetSizes(file: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return out.trim().split('\n').map(Number);
}

/** An HEIF header of the HEIC brand: file-type calls it image/heic; no decoder can read the rest. */
const FAKE_HEIC = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic'), Buffer.alloc(64, 1),
]);

for (const engine of ENGINES) {
  describe(`media from phones [${engine}]`, () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civic-phone-'));
    });

    async function upload(form: FormData, headers: Record<string, string> = {}) {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const res = await postReport(app, form, headers);
      return { app, db, res };
    }

    async function storedVideo(file: string, type: string) {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const res = await postReport(app, reportForm({ field, video: { name: path.basename(file), data: fs.readFileSync(file), type } }));
      expect(res.status, await res.clone().text()).toBe(201);
      const view = await (await app.request(`/api/reports/${(await res.json()).code}`)).json();
      const media = view.media.find((m: { kind: string }) => m.kind === 'video');
      expect(media.mime).toBe('video/mp4');
      const served = await app.request(media.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('video/mp4');
      const bytes = Buffer.from(await served.arrayBuffer());
      const out = path.join(dir, `stored-${Date.now()}-${Math.random()}.mp4`);
      fs.writeFileSync(out, bytes);
      return { app, url: media.url as string, bytes, file: out };
    }

    it.runIf(hasFfmpeg)('accepts an iPhone .mov, remuxes it to MP4 without copying the picture anew, and drops its ©xyz location', async () => {
      const mov = iphoneMov(dir, { audio: 'aac', appleKeys: false });
      const before = fs.readFileSync(mov);
      // The location is really in the upload, or the test would prove nothing.
      expect(before.includes(Buffer.from(LOCATION))).toBe(true);
      expect(before.includes(Buffer.from('\u00a9xyz', 'latin1'))).toBe(true);
      const { bytes, file } = await storedVideo(mov, 'video/quicktime');
      expect(bytes.includes(Buffer.from(LOCATION))).toBe(false);
      expect(bytes.includes(Buffer.from('secret'))).toBe(false);
      const info = probe(file);
      expect(info.format.format_name).toContain('mp4');
      expect(info.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
      // +faststart: the index (moov) comes before the media data (mdat), so playback starts at once.
      expect(bytes.indexOf(Buffer.from('moov'))).toBeLessThan(bytes.indexOf(Buffer.from('mdat')));
      // Copied, not encoded again: every frame after the first (whose SEI went) is byte for byte the same size.
      expect(packetSizes(file).slice(1)).toEqual(packetSizes(mov).slice(1));
      expect(packetSizes(file)).toHaveLength(10);
    });

    it.runIf(hasFfmpeg)("drops Apple's com.apple.quicktime.location key and encodes PCM sound to AAC", async () => {
      const mov = iphoneMov(dir, { audio: 'pcm_s16le', appleKeys: true });
      const before = fs.readFileSync(mov);
      expect(before.includes(Buffer.from('com.apple.quicktime.location.ISO6709'))).toBe(true);
      const { bytes, file } = await storedVideo(mov, 'video/quicktime');
      expect(bytes.includes(Buffer.from(LOCATION))).toBe(false);
      expect(bytes.includes(Buffer.from('com.apple.quicktime'))).toBe(false);
      expect(probe(file).streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    });

    it.runIf(hasFfmpeg)('answers Range requests for media: 206 pieces, 416 outside the file, HEAD, and the whole file', async () => {
      const { app, url, bytes } = await storedVideo(iphoneMov(dir, { audio: 'aac', appleKeys: false }), 'video/quicktime');
      const size = bytes.length;
      expect(size).toBeGreaterThan(200);

      const full = await app.request(url);
      expect(full.status).toBe(200);
      expect(full.headers.get('accept-ranges')).toBe('bytes');
      expect(full.headers.get('content-length')).toBe(String(size));
      expect(Buffer.from(await full.arrayBuffer()).equals(bytes)).toBe(true);

      const first = await app.request(url, { headers: { Range: 'bytes=0-99' } });
      expect(first.status).toBe(206);
      expect(first.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
      expect(first.headers.get('content-length')).toBe('100');
      expect(first.headers.get('content-type')).toBe('video/mp4');
      expect(Buffer.from(await first.arrayBuffer()).equals(bytes.subarray(0, 100))).toBe(true);

      const rest = await app.request(url, { headers: { Range: 'bytes=100-' } });
      expect(rest.status).toBe(206);
      expect(rest.headers.get('content-range')).toBe(`bytes 100-${size - 1}/${size}`);
      expect(Buffer.from(await rest.arrayBuffer()).equals(bytes.subarray(100))).toBe(true);

      const suffix = await app.request(url, { headers: { Range: 'bytes=-50' } });
      expect(suffix.status).toBe(206);
      expect(suffix.headers.get('content-range')).toBe(`bytes ${size - 50}-${size - 1}/${size}`);
      expect(Buffer.from(await suffix.arrayBuffer()).equals(bytes.subarray(size - 50))).toBe(true);

      // Safari's first probe.
      const probeRange = await app.request(url, { headers: { Range: 'bytes=0-1' } });
      expect(probeRange.status).toBe(206);
      expect(Buffer.from(await probeRange.arrayBuffer()).length).toBe(2);

      const outside = await app.request(url, { headers: { Range: `bytes=${size}-`, 'Accept-Language': 'en' } });
      expect(outside.status).toBe(416);
      expect(outside.headers.get('content-range')).toBe(`bytes */${size}`);
      expect((await outside.json()).error).toEqual({ code: 'range_not_satisfiable', message: `The requested range lies outside the file (${size} bytes)` });

      // Byte ranges none of which can be read are refused like ones past the end (as Express does).
      for (const range of ['bytes=abc', 'bytes=10-5']) {
        const refused = await app.request(url, { headers: { Range: range } });
        expect(refused.status, range).toBe(416);
        expect(refused.headers.get('content-range')).toBe(`bytes */${size}`);
        await refused.arrayBuffer();
      }

      // A header in another unit, or not a range at all, is ignored: the whole file, as RFC 9110 allows.
      for (const range of ['items=0-9', 'bytes 0-9', 'bytes=0-9,20-29']) {
        const ignored = await app.request(url, { headers: { Range: range } });
        expect(ignored.status, range).toBe(200);
        expect(Buffer.from(await ignored.arrayBuffer()).length).toBe(size);
      }

      // If-Range with another version's validator: the whole file.
      const stale = await app.request(url, { headers: { Range: 'bytes=0-99', 'If-Range': '"something-else"' } });
      expect(stale.status).toBe(200);
      await stale.arrayBuffer();

      const head = await app.request(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(size));
      expect(head.headers.get('accept-ranges')).toBe('bytes');
      expect((await head.arrayBuffer()).byteLength).toBe(0);
      const headRange = await app.request(url, { method: 'HEAD', headers: { Range: 'bytes=0-99' } });
      expect(headRange.status).toBe(206);
      expect(headRange.headers.get('content-range')).toBe(`bytes 0-99/${size}`);
    });

    it('keeps the visibility rules for ranged requests: media of a held report is not served', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const res = await postReport(app, reportForm({ field, photos: [{ name: 'p.png', data: fixtureFile('pothole.png'), type: 'image/png' }] }));
      expect(res.status).toBe(201);
      const { code } = await res.json();
      const view = await (await app.request(`/api/reports/${code}`)).json();
      const url = view.media[0].url as string;
      expect((await app.request(url, { headers: { Range: 'bytes=0-9' } })).status).toBe(206);
      await db.updateTable('reports').set({ needs_review: true }).where('code', '=', code).execute();
      const hidden = await app.request(url, { headers: { Range: 'bytes=0-9', 'Accept-Language': 'vi' } });
      expect(hidden.status).toBe(404);
      expect((await hidden.json()).error.message).toBe('Không tìm thấy ảnh hoặc video');
      expect((await app.request(url, { method: 'HEAD' })).status).toBe(404);
    });

    it('tells the picker whether HEIC can be decoded here', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const config = await (await app.request('/api/config')).json();
      expect(config.media).toEqual({ heic: canDecodeHeic() });
    });

    it.runIf(!canDecodeHeic())('refuses a HEIC photo it cannot decode with 415 and a message per file, in the reader’s language', async () => {
      const db = await testDb(engine);
      const field = await createField(db);
      const form = () => reportForm({ field, photos: [{ name: 'IMG_0001.HEIC', data: FAKE_HEIC, type: 'image/heic' }] });
      const { res: vi } = await upload(form(), { 'Accept-Language': 'vi-VN,vi;q=0.9' });
      expect(vi.status).toBe(415);
      const viBody = (await vi.json()).error;
      expect(viBody.code).toBe('heic_unsupported');
      expect(viBody.message).toBe('Ảnh 1: máy chủ này không đọc được ảnh HEIC; hãy gửi ảnh JPEG');
      expect(viBody.fields['photos[0]']).toMatch(/^Máy chủ không đọc được ảnh HEIC/);
      const { res: en } = await upload(form(), { 'Accept-Language': 'en-GB,en;q=0.8' });
      expect(en.status).toBe(415);
      const enBody = (await en.json()).error;
      expect(enBody.message).toBe('photos[0]: this server cannot read HEIC photos; please send a JPEG');
      expect(enBody.fields['photos[0]']).toMatch(/^This server cannot read HEIC photos/);
      // Nothing was written.
      expect(Number((await db.selectFrom('reports').select((eb) => eb.fn.countAll<number>().as('n')).where('field_code', '=', field).executeTakeFirstOrThrow()).n)).toBe(0);
    });
  });
}
