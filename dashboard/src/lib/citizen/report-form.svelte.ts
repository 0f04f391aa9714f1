import {
  ApiError, ApiFieldError, fetchAreasAt, fetchNearby, submitReport, type AreasAt, type CreatedReport, type NearbyReport, type UploadHandle,
} from '../api.js';
import { i18n, type MessageKey } from '../i18n.svelte.js';
import { rememberMyReport } from '../pwa/my-reports.js';
import type { QueuedReport } from '../pwa/outbox-db.js';
import { outbox } from '../pwa/outbox.svelte.js';
import { PHOTO_TYPES } from '../media-types.js';
import { newIdempotencyKey } from './ids.js';

/** The server's limits (server/routes/reports.schema.ts and reports.ts), checked here first so mistakes show at once. */
export const LIMITS = {
  title: { min: 5, max: 150 },
  description: { min: 10, max: 4000 },
  photos: 5,
  photoBytes: 10 * 1024 * 1024,
  videoBytes: 50 * 1024 * 1024,
  totalBytes: 80 * 1024 * 1024,
} as const;

/** iPhones record QuickTime (.mov); the server remuxes it to MP4. */
export const VIDEO_TYPES = ['video/mp4', 'video/webm', 'video/quicktime'];
export const VIDEO_ACCEPT = [...VIDEO_TYPES, '.mov'].join(',');

export interface Attachment {
  id: number;
  file: File;
  /** An object URL for the preview; revoked when the attachment goes. */
  url: string;
}

export type AreaState =
  | { kind: 'none' }
  | { kind: 'checking' }
  | { kind: 'inside'; areas: AreasAt }
  | { kind: 'outside' }
  | { kind: 'error' };

/** Inputs that can carry an error message; the server's field names map onto these. */
export type ErrorKey = 'field' | 'pin' | 'title' | 'description' | 'name' | 'phone' | 'email' | 'consent' | 'photos' | 'video';

export type SubmitPhase = 'idle' | 'uploading' | 'processing';

const trimmedLength = (s: string) => s.normalize('NFC').trim().length;

/** Stable text naming what would be sent, so a retry of the same submission keeps its Idempotency-Key. */
function signatureOf(f: ReportForm): string {
  return JSON.stringify([
    f.field, f.pin, f.title.trim(), f.description.trim(), f.name.trim(), f.phone.trim(), f.email.trim(), f.hideName, f.contactConsent,
    f.photos.map((p) => [p.file.name, p.file.size, p.file.lastModified]),
    f.video ? [f.video.file.name, f.video.file.size, f.video.file.lastModified] : null,
  ]);
}

/** The citizen report form: what was entered, what the server said about it, and the upload. */
export class ReportForm {
  field = $state<string | null>(null);
  /** [lng, lat] */
  pin = $state<[number, number] | null>(null);
  area = $state<AreaState>({ kind: 'none' });
  nearby = $state.raw<NearbyReport[]>([]);

  title = $state('');
  description = $state('');
  name = $state('');
  phone = $state('');
  email = $state('');
  hideName = $state(false);
  /** Decree 13/2023: the person agreed to the contact-data notice; unticked until they tick it. */
  contactConsent = $state(false);
  /** The honeypot input, hidden from people; only a program filling every input puts something here. */
  honeypot = $state('');
  /** When this form was opened; the server holds for review what comes back faster than a person could type it. */
  private openedAt = new Date().toISOString();

  photos = $state.raw<Attachment[]>([]);
  video = $state.raw<Attachment | null>(null);
  /** A message about attachments that were refused before upload. */
  mediaNotice = $state<string | null>(null);

  errors = $state<Partial<Record<ErrorKey, string>>>({});
  /** Server messages about single attachments, keyed "photos[0]", "video[0]". */
  fileErrors = $state<Record<string, string>>({});
  formError = $state<string | null>(null);
  phase = $state<SubmitPhase>('idle');
  progress = $state(0);
  result = $state.raw<CreatedReport | null>(null);
  /** Kept on this device to send when the network returns (offline, or the upload could not reach the server). */
  queued = $state.raw<QueuedReport | null>(null);

  titleLength = $derived(trimmedLength(this.title));
  descriptionLength = $derived(trimmedLength(this.description));
  blockedOutside = $derived(this.area.kind === 'outside');
  /** Whether any contact detail is filled in, which is what needs the consent. */
  hasContact = $derived(this.name.trim() !== '' || this.phone.trim() !== '' || this.email.trim() !== '');

  private nextId = 1;
  private areaRequest: AbortController | undefined;
  private nearbyRequest: AbortController | undefined;
  private nearbyTimer: ReturnType<typeof setTimeout> | undefined;
  private upload: UploadHandle | undefined;
  private idempotency: { key: string; signature: string } | undefined;

  setField(code: string | null) {
    this.field = code;
    this.clearError('field');
    this.scheduleNearby();
  }

  /** Moves the pin; the ward lookup runs at once (it is cheap), the duplicate search once the pin rests. */
  setPin(lngLat: [number, number]) {
    this.pin = [Number(lngLat[0].toFixed(6)), Number(lngLat[1].toFixed(6))];
    this.clearError('pin');
    this.lookUpArea();
    this.scheduleNearby();
  }

  private async lookUpArea() {
    const pin = this.pin;
    if (!pin) return;
    this.areaRequest?.abort();
    const request = (this.areaRequest = new AbortController());
    if (this.area.kind !== 'inside') this.area = { kind: 'checking' };
    try {
      const areas = await fetchAreasAt(pin[1], pin[0], request.signal);
      this.area = { kind: 'inside', areas };
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.area = error instanceof ApiError && error.code === 'outside_region' ? { kind: 'outside' } : { kind: 'error' };
    }
  }

  private scheduleNearby() {
    clearTimeout(this.nearbyTimer);
    this.nearbyRequest?.abort();
    if (!this.pin || !this.field) {
      this.nearby = [];
      return;
    }
    this.nearbyTimer = setTimeout(() => void this.loadNearby(), 400);
  }

  private async loadNearby() {
    const pin = this.pin;
    const field = this.field;
    if (!pin || !field) return;
    const request = (this.nearbyRequest = new AbortController());
    try {
      const found = await fetchNearby(pin[1], pin[0], field, request.signal);
      this.nearby = found.reports;
    } catch (error) {
      // Outside the province or offline: no candidates is the honest answer; the form says why elsewhere.
      if ((error as Error).name !== 'AbortError') this.nearby = [];
    }
  }

  /** Records that someone followed a nearby report, so the list shows the new count. */
  followed(code: string, followerCount: number) {
    this.nearby = this.nearby.map((r) => (r.code === code ? { ...r, follower_count: followerCount } : r));
  }

  addPhotos(files: FileList | File[]) {
    this.mediaNotice = null;
    const next = [...this.photos];
    for (const file of files) {
      if (next.length >= LIMITS.photos) {
        this.mediaNotice = i18n.t('media.tooManyPhotos');
        break;
      }
      const heicByName = /\.(heic|heif)$/i.test(file.name);
      if (!PHOTO_TYPES.includes(file.type) && !heicByName) {
        this.mediaNotice = i18n.t('media.badPhoto', { name: file.name });
        continue;
      }
      if (file.size > LIMITS.photoBytes) {
        this.mediaNotice = i18n.t('media.photoTooBig', { name: file.name });
        continue;
      }
      next.push({ id: this.nextId++, file, url: URL.createObjectURL(file) });
    }
    this.photos = next;
    this.clearError('photos');
    this.checkTotal();
  }

  setVideo(file: File) {
    this.mediaNotice = null;
    if (!VIDEO_TYPES.includes(file.type)) {
      this.mediaNotice = i18n.t('media.badVideo', { name: file.name });
      return;
    }
    if (file.size > LIMITS.videoBytes) {
      this.mediaNotice = i18n.t('media.videoTooBig', { name: file.name });
      return;
    }
    if (this.video) URL.revokeObjectURL(this.video.url);
    this.video = { id: this.nextId++, file, url: URL.createObjectURL(file) };
    this.clearError('video');
    this.checkTotal();
  }

  removePhoto(id: number) {
    const gone = this.photos.find((p) => p.id === id);
    if (gone) URL.revokeObjectURL(gone.url);
    this.photos = this.photos.filter((p) => p.id !== id);
    // Indexes shift, so per-file server messages no longer point at the right photo.
    this.fileErrors = {};
    this.mediaNotice = null;
    this.clearError('photos');
  }

  removeVideo() {
    if (this.video) URL.revokeObjectURL(this.video.url);
    this.video = null;
    this.fileErrors = {};
    this.mediaNotice = null;
    this.clearError('video');
  }

  private checkTotal() {
    const total = this.photos.reduce((sum, p) => sum + p.file.size, 0) + (this.video?.file.size ?? 0);
    if (total > LIMITS.totalBytes) this.mediaNotice = i18n.t('media.totalTooBig');
  }

  clearError(key: ErrorKey) {
    if (this.errors[key]) {
      const { [key]: _gone, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  /** Checks what the browser can check; returns the first input with a problem, if any. */
  validate(): ErrorKey | undefined {
    const errors: Partial<Record<ErrorKey, string>> = {};
    const say = (key: MessageKey) => i18n.t(key);
    if (!this.field) errors.field = say('form.field.required');
    if (!this.pin) errors.pin = say('form.pin.required');
    else if (this.area.kind === 'outside') errors.pin = say('form.pin.outside');
    if (this.titleLength < LIMITS.title.min) errors.title = say('text.titleShort');
    else if (this.titleLength > LIMITS.title.max) errors.title = say('text.titleLong');
    if (this.descriptionLength < LIMITS.description.min) errors.description = say('text.descShort');
    else if (this.descriptionLength > LIMITS.description.max) errors.description = say('text.descLong');
    if (this.hasContact && !this.contactConsent) errors.consent = say('contact.consentRequired');
    this.errors = errors;
    const order: ErrorKey[] = ['field', 'pin', 'title', 'description', 'photos', 'video', 'name', 'phone', 'email', 'consent'];
    return order.find((k) => errors[k]);
  }

  /** Sends the report; resolves to the first input with a problem, or undefined when sent (see `result`) or failed as a whole (see `formError`). */
  async submit(): Promise<ErrorKey | undefined> {
    if (this.phase !== 'idle') return undefined;
    this.formError = null;
    this.fileErrors = {};
    const invalid = this.validate();
    if (invalid) {
      this.formError = this.blockedOutside ? i18n.t('submit.blockedOutside') : i18n.t('submit.fixErrors');
      return invalid;
    }
    const signature = signatureOf(this);
    // The same submission retried keeps its key, so a lost answer cannot file it twice.
    if (this.idempotency?.signature !== signature) this.idempotency = { key: newIdempotencyKey(), signature };

    const submission = {
        field: this.field!,
        title: this.title.trim(),
        description: this.description.trim(),
        lat: this.pin![1],
        lon: this.pin![0],
        name: this.name.trim() || undefined,
        phone: this.phone.trim() || undefined,
        email: this.email.trim() || undefined,
        hideName: this.hideName,
        contactConsent: this.hasContact && this.contactConsent,
        photos: this.photos.map((p) => p.file),
        video: this.video?.file,
        openedAt: this.openedAt,
        honeypot: this.honeypot,
      };
    // No signal: keep it on the device, marked as waiting for the network, instead of failing.
    if (!navigator.onLine && outbox.available) return this.enqueue(submission);
    this.phase = 'uploading';
    this.progress = 0;
    this.upload = submitReport(
      submission,
      this.idempotency.key,
      (fraction) => {
        this.progress = fraction;
        if (fraction >= 1) this.phase = 'processing';
      },
    );
    try {
      this.result = await this.upload.done;
      this.idempotency = undefined;
      rememberMyReport({ code: this.result.code, title: submission.title, field: submission.field, filedAt: new Date().toISOString(), manageUrl: this.result.manage_url });
      return undefined;
    } catch (error) {
      // The request never reached the server (or its answer never came back): queue it under the same key.
      if (error instanceof ApiError && error.status === 0 && outbox.available) {
        this.phase = 'idle';
        return this.enqueue(submission);
      }
      return this.explain(error);
    } finally {
      this.phase = 'idle';
      this.upload = undefined;
    }
  }

  private async enqueue(submission: Parameters<typeof submitReport>[0]): Promise<undefined> {
    try {
      this.queued = await outbox.add(submission, this.idempotency!.key);
      this.idempotency = undefined;
    } catch (error) {
      console.error(error);
      this.formError = i18n.t('submit.network');
    }
    return undefined;
  }

  /** Turns a failed submission into messages next to the inputs, or one for the whole form. */
  private explain(error: unknown): ErrorKey | undefined {
    if ((error as Error).name === 'AbortError') return undefined;
    if (!(error instanceof ApiError)) {
      this.formError = i18n.t('submit.server');
      return undefined;
    }
    const detail = error instanceof ApiFieldError ? Object.values(error.fields).join(' ') : error.message;
    switch (error.status) {
      case 0:
        this.formError = i18n.t('submit.network');
        return undefined;
      case 413:
        this.formError = i18n.t('submit.tooLarge', { detail });
        break;
      case 415:
        this.formError = error.code === 'video_unavailable' ? i18n.t('submit.videoUnavailable') : i18n.t('submit.badType', { detail });
        break;
      case 409:
        // The same text from this device a little earlier: point at that report rather than file it twice.
        if (error.code === 'duplicate_report' && error instanceof ApiFieldError && error.fields.existing_code) {
          this.formError = i18n.t('submit.duplicate', { code: error.fields.existing_code });
          return undefined;
        }
        this.formError = i18n.t('submit.inProgress');
        return undefined;
      case 429: {
        const seconds = Number(error instanceof ApiFieldError ? error.fields.retry_after : NaN);
        this.formError = i18n.t('submit.rateLimited', { minutes: Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds / 60)) : 10 });
        return undefined;
      }
      case 422:
        if (error.code === 'outside_region') {
          this.area = { kind: 'outside' };
          this.errors = { ...this.errors, pin: i18n.t('form.pin.outside') };
          this.formError = i18n.t('submit.outside');
          return 'pin';
        }
        // The key was used for something else: start afresh with a new one.
        this.idempotency = undefined;
        this.formError = i18n.t('submit.reused');
        return undefined;
      case 400:
        this.formError = i18n.t('submit.fixErrors');
        break;
      default:
        this.formError = i18n.t('submit.server');
        return undefined;
    }
    if (!(error instanceof ApiFieldError)) return undefined;
    const errors: Partial<Record<ErrorKey, string>> = {};
    const fileErrors: Record<string, string> = {};
    for (const [name, message] of Object.entries(error.fields)) {
      if (name === 'lat' || name === 'lon') errors.pin = message;
      else if (/^(photos|video)\[\d+\]$/.test(name)) fileErrors[name] = message;
      else if (name === 'photos' || name === 'video') errors[name] = message;
      else if (['field', 'title', 'description', 'name', 'phone', 'email'].includes(name)) errors[name as ErrorKey] = message;
      else if (name === 'contact_consent') errors.consent = message;
      else this.formError = `${this.formError ?? ''} ${message}`.trim();
    }
    this.fileErrors = fileErrors;
    if (Object.keys(fileErrors).some((k) => k.startsWith('video'))) errors.video ??= fileErrors['video[0]'];
    if (Object.keys(fileErrors).some((k) => k.startsWith('photos'))) errors.photos ??= Object.values(fileErrors)[0];
    this.errors = errors;
    const order: ErrorKey[] = ['field', 'pin', 'title', 'description', 'photos', 'video', 'name', 'phone', 'email', 'consent'];
    return order.find((k) => errors[k]);
  }

  /** Clears everything for another report; previews are released. */
  reset() {
    this.disposeMedia();
    this.field = null;
    this.pin = null;
    this.area = { kind: 'none' };
    this.nearby = [];
    this.title = '';
    this.description = '';
    this.photos = [];
    this.video = null;
    this.mediaNotice = null;
    this.errors = {};
    this.fileErrors = {};
    this.formError = null;
    this.result = null;
    this.queued = null;
    this.idempotency = undefined;
    this.openedAt = new Date().toISOString();
    // Contact details stay: the same person is likely to report again.
  }

  private disposeMedia() {
    for (const p of this.photos) URL.revokeObjectURL(p.url);
    if (this.video) URL.revokeObjectURL(this.video.url);
  }

  dispose() {
    clearTimeout(this.nearbyTimer);
    this.areaRequest?.abort();
    this.nearbyRequest?.abort();
    this.upload?.abort();
    this.disposeMedia();
  }
}
