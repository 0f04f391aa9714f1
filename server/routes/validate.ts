import { zValidator } from '@hono/zod-validator';
import type { MiddlewareHandler, ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { validationFailed, zodFieldErrors } from '../errors.js';
import { msg } from '../messages.js';
import { nulPath } from './common.schema.js';

/** Which schema each validator checks, so the OpenAPI description is generated from the same schemas. */
export const validatorSchemas = new WeakMap<MiddlewareHandler, { target: keyof ValidationTargets; schema: ZodType }>();

/**
 * zValidator that answers bad input with our error shape: 400 and one
 * message per field. A string holding U+0000 is refused whatever the schema
 * says, so no route can pass one on to PostgreSQL.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) => {
  const middleware = zValidator(target, schema, (result) => {
    if (!result.success) throw validationFailed(zodFieldErrors(result.error));
    const at = nulPath(result.data);
    if (at) throw validationFailed({ [at]: msg('error.nul', { field: at }) });
  });
  validatorSchemas.set(middleware as MiddlewareHandler, { target, schema });
  return middleware;
};
