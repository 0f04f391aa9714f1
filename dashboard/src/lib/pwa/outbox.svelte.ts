import { ApiError, submitReport, type CreatedReport, type NewReportSubmission } from '../api.js';
import { deleteQueued, listQueued, putQueued, restoreFile, storeFile, type QueuedReport } from './outbox-db.js';
import { rememberMyReport } from './my-reports.js';

export interface SentFromQueue {
  key: string;
  title: string;
  result: CreatedReport;
}

/**
 * Reports waiting for the network. Each is sent with its own Idempotency-Key
 * when the connection returns (the `online` event, app start, a timer while
 * anything waits), so a resend after a lost answer never files twice.
 */
class Outbox {
  items = $state.raw<QueuedReport[]>([]);
  /** Reports this session sent from the queue, so the page can say so. */
  sent = $state.raw<SentFromQueue[]>([]);
  /** False when IndexedDB is unavailable (some private modes): nothing can be queued. */
  available = $state(typeof indexedDB !== 'undefined');

  private started = false;
  private flushing: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Loads what is on disk and starts watching for the network; safe to call more than once. */
  start() {
    if (this.started) return;
    this.started = true;
    window.addEventListener('online', () => void this.flush());
    // Without a network there is nothing to try; the 'online' event brings us back.
    void this.refresh().then(() => (navigator.onLine ? this.flush() : undefined));
    this.timer = setInterval(() => {
      if (this.items.some((i) => i.state === 'waiting') && navigator.onLine) void this.flush();
    }, 15_000);
  }

  async refresh() {
    if (!this.available) return;
    try {
      this.items = await listQueued();
    } catch (error) {
      console.error(error);
      this.available = false;
    }
  }

  /** Keeps a report for later; it is on disk before this resolves. */
  async add(report: NewReportSubmission, key: string): Promise<QueuedReport> {
    const { photos, video, ...fields } = report;
    const item: QueuedReport = {
      key, createdAt: new Date().toISOString(), state: 'waiting', report: fields,
      photos: photos.map(storeFile), ...(video ? { video: storeFile(video) } : {}),
    };
    await putQueued(item);
    await this.refresh();
    return item;
  }

  async remove(key: string) {
    await deleteQueued(key);
    await this.refresh();
  }

  /** Sends every waiting report, one at a time; concurrent calls share one run. */
  flush(): Promise<void> {
    this.flushing ??= this.sendAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async sendAll() {
    await this.refresh();
    if (!navigator.onLine) return;
    for (const item of this.items) {
      if (item.state === 'failed') continue;
      await this.update({ ...item, state: 'sending' });
      try {
        const submission: NewReportSubmission = {
          ...item.report, photos: item.photos.map(restoreFile), ...(item.video ? { video: restoreFile(item.video) } : {}),
        };
        const result = await submitReport(submission, item.key, () => {}).done;
        rememberMyReport({ code: result.code, title: item.report.title, field: item.report.field, filedAt: new Date().toISOString(), manageUrl: result.manage_url });
        await deleteQueued(item.key);
        this.sent = [...this.sent, { key: item.key, title: item.report.title, result }];
      } catch (error) {
        const offline = !(error instanceof ApiError) || error.status === 0 || error.status >= 500 || error.status === 429
          || (error.status === 409 && error.code !== 'duplicate_report');
        // Offline, busy (409: the same key is being processed), too many sends for now (429) or a server hiccup: try again later.
        // Anything else is the report itself being refused; keep it so nothing is lost, and say why.
        await this.update({ ...item, state: offline ? 'waiting' : 'failed', error: offline ? undefined : (error as Error).message });
        if (offline) break;
      }
    }
    await this.refresh();
  }

  private async update(item: QueuedReport) {
    await putQueued(item);
    this.items = this.items.map((i) => (i.key === item.key ? item : i));
  }

  stop() {
    clearInterval(this.timer);
  }
}

export const outbox = new Outbox();
