import crypto from 'node:crypto';
import sharp from 'sharp';
import { sleep } from './server-process.js';

/** One logical report a citizen wants filed, however many times it has to be sent. */
export interface Submission {
  key: string;
  /** Written into the description, so a report stored twice is found by it. */
  marker: string;
  photos: number;
  form: Record<string, string>;
  images: { bytes: Uint8Array<ArrayBuffer>; name: string; type: string }[];
  /** The code of the first 201, and of any replays; all must be the same. */
  acked?: string;
  replayCodes: string[];
  rejected?: { status: number; body: string };
  unresolved?: boolean;
}

export interface ClientStats {
  requests: number;
  connectionErrors: number;
  inProgress409: number;
  serverErrors: number;
  serverErrorSamples: string[];
}

export interface Control {
  /** While true, submitters start new submissions. */
  generating: boolean;
  /** After this moment (ms epoch), a submission still unresolved is abandoned. */
  giveUpAt: number;
}

// Points around Buôn Ma Thuột, fields that route to a ward unit (so a
// report.assigned event follows) and to a provincial one.
const FIELDS = ['lighting', 'waste', 'road', 'water', 'trees'];
const CENTRE = { lat: 12.6797, lon: 108.0447 };

/** A few small real images (JPEG and PNG), decoded and re-encoded by the server like any photo. */
export async function makeImages(): Promise<Submission['images']> {
  const images: Submission['images'] = [];
  for (let i = 0; i < 4; i++) {
    const raw = Buffer.alloc(64 * 48 * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = (p * (i + 3) + ((p / 3) | 0) * 7) & 0xff;
    const img = sharp(raw, { raw: { width: 64, height: 48, channels: 3 } });
    const png = i % 2 === 1;
    images.push({
      bytes: Uint8Array.from(png ? await img.png().toBuffer() : await img.jpeg({ quality: 80 }).toBuffer()),
      name: png ? `photo${i}.png` : `photo${i}.jpg`,
      type: png ? 'image/png' : 'image/jpeg',
    });
  }
  return images;
}

export function newSubmission(random: () => number, images: Submission['images']): Submission {
  const marker = crypto.randomUUID();
  const photos = Math.floor(random() * 3);
  const pick = () => images[Math.floor(random() * images.length)]!;
  return {
    key: `chaos-${crypto.randomUUID()}`,
    marker,
    photos,
    form: {
      field: FIELDS[Math.floor(random() * FIELDS.length)]!,
      title: 'Kiểm thử sự cố máy chủ',
      description: `Phản ánh thử nghiệm chaos:${marker} — đèn đường không sáng.`,
      lat: (CENTRE.lat + (random() - 0.5) * 0.02).toFixed(6),
      lon: (CENTRE.lon + (random() - 0.5) * 0.02).toFixed(6),
      hide_name: 'true',
    },
    images: Array.from({ length: photos }, pick),
    replayCodes: [],
  };
}

type Attempt =
  | { kind: 'created'; code: string }
  | { kind: 'retry'; why: 'connection' | 'in_progress' | 'server_error'; detail?: string }
  | { kind: 'rejected'; status: number; body: string };

async function send(baseUrl: string, s: Submission): Promise<Attempt> {
  const form = new FormData();
  for (const [k, v] of Object.entries(s.form)) form.append(k, v);
  for (const img of s.images) form.append('photos', new Blob([img.bytes], { type: img.type }), img.name);
  let res: Response;
  let body: string;
  try {
    res = await fetch(`${baseUrl}/api/reports`, {
      method: 'POST', body: form, headers: { 'Idempotency-Key': s.key }, signal: AbortSignal.timeout(60_000),
    });
    // A crash can cut the reply after its status line: that is a connection error too.
    body = await res.text();
  } catch (error) {
    return { kind: 'retry', why: 'connection', detail: String((error as Error).cause ?? error) };
  }
  if (res.status === 201) {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    if (typeof code !== 'string') return { kind: 'rejected', status: 201, body };
    return { kind: 'created', code };
  }
  if (res.status === 409 && body.includes('request_in_progress')) return { kind: 'retry', why: 'in_progress' };
  if (res.status >= 500) return { kind: 'retry', why: 'server_error', detail: `${res.status} ${body.slice(0, 300)}` };
  return { kind: 'rejected', status: res.status, body: body.slice(0, 500) };
}

/**
 * Sends one submission until the server answers it for good, retrying the
 * same Idempotency-Key through crashes the way the offline-capable form does.
 */
async function settle(baseUrl: string, s: Submission, stats: ClientStats, control: Control, random: () => number): Promise<void> {
  for (;;) {
    if (Date.now() > control.giveUpAt) {
      s.unresolved = true;
      return;
    }
    stats.requests++;
    const a = await send(baseUrl, s);
    if (a.kind === 'created') {
      if (s.acked === undefined) s.acked = a.code;
      else s.replayCodes.push(a.code);
      return;
    }
    if (a.kind === 'rejected') {
      s.rejected = { status: a.status, body: a.body };
      return;
    }
    if (a.why === 'connection') {
      stats.connectionErrors++;
      await sleep(200 + random() * 200);
    } else if (a.why === 'in_progress') {
      stats.inProgress409++;
      await sleep(1_000);
    } else {
      stats.serverErrors++;
      if (stats.serverErrorSamples.length < 10) stats.serverErrorSamples.push(a.detail ?? '');
      await sleep(300);
    }
  }
}

/**
 * One citizen's phone: files submissions back to back while generating is
 * on. Now and then it sends an acknowledged one again, as a client that
 * never saw the reply would, and the server must answer with the same report.
 */
export async function runSubmitter(
  baseUrl: string, images: Submission['images'], all: Submission[], stats: ClientStats, control: Control, random: () => number,
): Promise<void> {
  while (control.generating) {
    const s = newSubmission(random, images);
    all.push(s);
    await settle(baseUrl, s, stats, control, random);
    if (s.acked && !s.unresolved && random() < 0.15) await settle(baseUrl, s, stats, control, random);
    if (s.unresolved) return;
  }
}
