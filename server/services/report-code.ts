import crypto from 'node:crypto';

/** No 0/O, 1/I/L: codes are read aloud over the phone and typed on small keyboards. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;
export const CODE_PATTERN = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** A random public tracking code: 31^8 ≈ 8.5·10^11 possibilities, from the CSPRNG. */
export function newReportCode(): string {
  const bytes = crypto.randomBytes(CODE_LENGTH * 2);
  let code = '';
  for (let i = 0; code.length < CODE_LENGTH; i++) {
    // Rejection sampling keeps every symbol equally likely.
    const b = bytes[i % bytes.length] ^ (i >= bytes.length ? crypto.randomBytes(1)[0] : 0);
    if (b < 248) code += CODE_ALPHABET[b % CODE_ALPHABET.length];
  }
  return code;
}

export function newManageToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
