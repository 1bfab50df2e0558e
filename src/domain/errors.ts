/**
 * The errors Cedar's rules throw and every layer above tells apart (the web pages and the API
 * turn each into its page or problem+json, the CLI into its message). One home: everything
 * imports them from here. Pure.
 */

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
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
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

/**
 * The database stayed locked by another writer for longer than a write may wait: nothing was
 * changed (thrown by the SQLite edge, db/sqlite.ts; the pages and the API answer 503).
 */
export class DatabaseBusyError extends Error {
  constructor(readonly waitedMs: number) {
    super(`The database was busy with another change (such as an import) for ${Math.round(waitedMs / 1000)} s, so nothing was changed. Try again in a minute.`);
    this.name = 'DatabaseBusyError';
  }
}

/**
 * A write refused because the report is no longer the one the person opened: someone else
 * (or the same person in another tab) saved it since. Nothing was stored; the person's
 * answers stay in their form.
 */
export class ConcurrentChangeError extends WorkflowError {
  constructor() {
    super(
      'This report changed since you opened it: someone saved it after you opened this page (perhaps you, in another tab). Nothing you sent was saved. Check the report as it is now, then try again.',
    );
    this.name = 'ConcurrentChangeError';
  }
}
