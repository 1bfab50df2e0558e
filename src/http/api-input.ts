import type { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import { fieldErrorsFromZod } from '../domain/validation.js';

/** Parses a part of an API request (query, body), naming each bad field with the part: `query.from`, `body.0.courseCode`. */
export function parseRequestPart<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.infer<S> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw new ValidationError(fieldErrorsFromZod(r.error).map((e) => ({ field: e.field === '(input)' ? prefix : `${prefix}.${e.field}`, message: e.message })));
  return r.data;
}
