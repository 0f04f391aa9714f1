import { z } from 'zod';

export const LoginBody = z.object({
  username: z.string({ error: 'username is required' }).trim().min(1, 'username is required').max(64, 'username is too long'),
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(256, 'password is too long'),
});
