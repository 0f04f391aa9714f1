/** The photo types the server takes (server/services/media/process.ts). */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'];

/**
 * What a photo picker asks for, citizen's or staff's. HEIC only when the
 * server decodes it (GET /api/config, media.heic; HEIC files often arrive
 * without a MIME type, so the extensions are listed too); otherwise an
 * iPhone, asked for JPEG, converts the photo itself.
 */
export const photoAccept = (heic: boolean) =>
  (heic ? [...PHOTO_TYPES, '.heic', '.heif'] : PHOTO_TYPES.filter((t) => !t.includes('hei'))).join(',');
