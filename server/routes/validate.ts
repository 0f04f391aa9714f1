import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { validationFailed, zodFieldErrors } from '../errors.js';

/** zValidator that answers bad input with our error shape: 400 and one message per field. */
export const validate = <Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw validationFailed(zodFieldErrors(result.error));
  });
