/**
 * A random UUID for the Idempotency-Key. crypto.randomUUID exists only in
 * secure contexts; a phone reaching a LAN address over plain HTTP still needs a key.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const DEVICE_KEY = 'civic-ops-device-id';
let sessionDevice: string | undefined;

/**
 * A random id for this install, sent as X-Device-Id so the server can count
 * requests per device (and hold a device's reports for review if a dispatcher
 * marks it). It names the device, not the person; clearing site data resets it.
 */
export function deviceId(): string {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      id = newIdempotencyKey();
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    // Storage refused (private mode, quota): one id for this page's life.
    return (sessionDevice ??= newIdempotencyKey());
  }
}
