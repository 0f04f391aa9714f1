import type { LiveEvent } from '../../../../server/services/live-events.js';

/** A report event as /api/events sends it (the server's own type: a server-sent stream has no typed client). */
export type LiveReportEvent = LiveEvent;

export type LiveState = 'connecting' | 'live' | 'down';

/**
 * The server-sent event stream, kept alive: EventSource retries by itself on a
 * dropped connection, but gives up for good on an error answer (a restarting
 * server's 502, say); then this reconnects with exponential backoff, 1 s to 30 s.
 * A heartbeat that stops for too long also forces a reconnect.
 */
export class LiveFeed {
  state = $state<LiveState>('connecting');
  /** When anything (event or heartbeat) last arrived. */
  lastSeen = $state<number | null>(null);
  received = $state(0);

  #source: EventSource | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #attempt = 0;
  #closed = false;
  #hadError = false;

  constructor(
    private readonly url: () => string,
    private readonly onReport: (e: LiveReportEvent) => void,
    /** After a reconnection: events may have been missed, so refetch. */
    private readonly onResync: () => void,
  ) {}

  start() {
    this.#closed = false;
    this.#open();
    // The server sends a ping every 15 s; 45 s of silence means a dead connection.
    this.#watchdog = setInterval(() => {
      if (this.lastSeen !== null && Date.now() - this.lastSeen > 45_000 && this.state === 'live') this.#retry();
    }, 5_000);
  }

  stop() {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#watchdog);
    this.#source?.close();
    this.#source = undefined;
  }

  #open() {
    this.#source?.close();
    this.state = 'connecting';
    const source = new EventSource(this.url(), { withCredentials: true });
    this.#source = source;
    source.addEventListener('open', () => {
      this.state = 'live';
      this.lastSeen = Date.now();
      this.#attempt = 0;
      if (this.#hadError) this.onResync();
      this.#hadError = false;
    });
    source.addEventListener('hello', () => (this.lastSeen = Date.now()));
    source.addEventListener('ping', () => (this.lastSeen = Date.now()));
    source.addEventListener('report', (message) => {
      this.lastSeen = Date.now();
      try {
        const event = JSON.parse((message as MessageEvent<string>).data) as LiveReportEvent;
        this.received += 1;
        this.onReport(event);
      } catch (error) {
        console.error('bad live event', error);
      }
    });
    source.addEventListener('error', () => {
      this.#hadError = true;
      this.state = source.readyState === EventSource.CLOSED ? 'down' : 'connecting';
      if (source.readyState === EventSource.CLOSED) this.#retry();
    });
  }

  #retry() {
    if (this.#closed) return;
    this.#source?.close();
    this.#source = undefined;
    this.#hadError = true;
    this.state = 'down';
    clearTimeout(this.#timer);
    const delay = Math.min(30_000, 1000 * 2 ** this.#attempt) * (0.8 + Math.random() * 0.4);
    this.#attempt += 1;
    this.#timer = setTimeout(() => this.#open(), delay);
  }
}

/** Runs `fn` once things go quiet for `ms`; a burst of events costs one refetch. */
export function debounce(fn: () => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}
