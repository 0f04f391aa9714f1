import { z } from 'zod';
import { latitude, longitude } from './areas.schema.js';

export const MESSAGE_MAX = 500;

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The conversation state the client echoes back; checked like any input, since the client may send anything. */
export const AssistantStateSchema = z.object({
  flow: z.literal('file').optional(),
  step: z.enum(['problem', 'location', 'details', 'done']).optional(),
  field: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/).optional(),
  title: z.string().max(150).optional(),
  description: z.string().max(4000).optional(),
  lat: latitude.optional(),
  lon: longitude.optional(),
}).strict();

export const AssistantBody = z.object({
  message: z
    .string({ error: 'message is required' })
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, 'message must not be empty')
        .max(MESSAGE_MAX, `message must be at most ${MESSAGE_MAX} characters`)
        .refine((s) => !CONTROL.test(s), 'message contains invalid control characters'),
    ),
  lang: z.enum(['vi', 'en'], { error: 'lang must be vi or en' }).optional(),
  state: AssistantStateSchema.optional(),
  location: z.object({ lat: latitude, lon: longitude }).optional(),
});

export const ClassifyBody = z.object({
  title: z.string().max(150, 'title must be at most 150 characters').default(''),
  description: z.string().max(4000, 'description must be at most 4000 characters').default(''),
});
