import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../services/password-policy.js';

const secret = (field: string) => z.string({ error: `${field} is required` }).min(1, `${field} is required`).max(MAX_PASSWORD_LENGTH, `${field} is too long`);
/** A 6-digit TOTP code, or a recovery code (xxxx-xxxx-xxxx-xxxx). */
const code = (field: string) => z.string({ error: `${field} is required` }).trim().min(6, `${field} must be the 6-digit code`).max(40, `${field} is too long`);

export const LoginBody = z.object({
  username: z.string({ error: 'username is required' }).trim().min(1, 'username is required').max(64, 'username is too long'),
  password: secret('password'),
  totp: code('totp').optional(),
});

export const PasswordChangeBody = z.object({
  current_password: secret('current_password'),
  new_password: secret('new_password'),
});

export const ReauthBody = z.object({ password: secret('password') });

export const CodeBody = z.object({ code: code('code') });
