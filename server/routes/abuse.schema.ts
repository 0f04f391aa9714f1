import { z } from 'zod';

/** The name of the form's honeypot input: attractive to form-filling programs, hidden from people. */
export const HONEYPOT_FIELD = 'website';

/**
 * What the citizen form sends besides the report: the honeypot, and when the
 * form was opened (ISO date-time or epoch milliseconds). A malformed
 * opened_at is ignored rather than refused: it only ever adds a review.
 */
export const SubmissionSignals = z.object({
  [HONEYPOT_FIELD]: z.string().optional().catch(undefined),
  opened_at: z
    .string()
    .optional()
    .transform((v) => {
      if (v === undefined || v.trim() === '') return undefined;
      const d = /^\d{10,16}$/.test(v.trim()) ? new Date(Number(v.trim())) : new Date(v);
      return Number.isNaN(d.getTime()) ? undefined : d;
    })
    .catch(undefined),
});

export const AbuseBody = z
  .object({
    client: z.boolean({ error: 'client must be true or false' }).default(true),
    phone: z.boolean({ error: 'phone must be true or false' }).default(true),
    abusive: z.boolean({ error: 'abusive must be true or false' }).default(true),
    reason: z
      .string({ error: 'reason is required' })
      .transform((s) => s.normalize('NFC').trim())
      .pipe(z.string().min(3, 'reason must be at least 3 characters').max(1000, 'reason must be at most 1000 characters')),
  })
  .refine((b) => b.client || b.phone, { message: 'Choose the client, the phone or both', path: ['client'] });
