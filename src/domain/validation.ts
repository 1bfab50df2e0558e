import type { z } from 'zod';

/** One problem with one input field, in words a person can act on. */
export interface FieldError {
  /** Dotted path of the field, e.g. `rank` or `roles.0.borough`. */
  field: string;
  message: string;
}

/** Thrown when input is invalid. Carries every field error, not just the first. */
export class ValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'ValidationError';
  }
}

/** Thrown when a record named in the input does not exist. */
export class NotFoundError extends Error {
  constructor(readonly entity: string, readonly id: string) {
    super(`${entity} ${id} was not found`);
    this.name = 'NotFoundError';
  }
}

/** Thrown when an action is not possible in the record's present state (a report already submitted, a session already held). */
export class WorkflowError extends Error {}

/** Thrown when an action conflicts with stored data (e.g. a duplicate collar number). */
export class ConflictError extends ValidationError {
  constructor(field: string, message: string) {
    super([{ field, message }]);
    this.name = 'ConflictError';
  }
}

/** One message per field (the first), as the GOV.UK error summary expects. */
export function fieldErrorsFromZod(error: z.ZodError): FieldError[] {
  const byField = new Map<string, string>();
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.join('.') : '(input)';
    if (!byField.has(field)) byField.set(field, issue.message);
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

/** Parses input with a schema, throwing a ValidationError that names every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(fieldErrorsFromZod(result.error));
  return result.data;
}
