/**
 * Historical training records, from a CSV file (`cedar import training FILE`) or a JSON list
 * (`POST /api/v1/training/records`) (issue 5). Pure: no I/O. The service supplies the force's
 * officers, course types and the records already stored; this module says what is wrong (by
 * line and column, or by record and field) or what to store.
 *
 * The CSV layout: a header row, then one row per course an officer completed.
 *
 *   collar_number   the officer's collar number as in Cedar (any case)
 *   course_code     the code of one of the force's course types, like initial-x2 or refresher (any case)
 *   completed_on    the day the course ended: YYYY-MM-DD or DD/MM/YYYY, not after today nor before 2003
 *   result          pass, fail or did_not_finish (any case; "did not finish" is read too)
 *   reason          why the officer did not pass: required for fail and did_not_finish, optional for a pass
 *
 * Columns may come in any order and header names in any case; `reason` may be left out when
 * every row is a pass. An unknown or repeated column, or a missing one, is named and no row is
 * read. The file may be UTF-8 (with or without a byte order mark) or Windows-1252.
 *
 * A record is one officer's result on one course on one day. The same record twice in one file
 * is an error (on the later line), and so is a second, different result for the same officer,
 * course and day. A record Cedar already holds (imported before, or recorded from a session)
 * is "already present" and not stored again; a different result for a day Cedar already holds
 * is an error, since a record is never overwritten.
 */
import { csvDate, decodeCsv, quoteValue, readCsvHeader, readRecords, rowValues, type CsvEncoding, type CsvHeader, type RawRecord, type RowError } from '../csv.js';
import type { TrainingResult } from './authority.js';
import { EARLIEST_TRAINING, trainingRecordInput, type TrainingRecordInput } from './courses.js';

/** The columns, in the order the template lists them. */
export const TRAINING_COLUMNS = ['collar_number', 'course_code', 'completed_on', 'result', 'reason'] as const;
export type TrainingColumn = (typeof TRAINING_COLUMNS)[number];
export const REQUIRED_TRAINING_COLUMNS: readonly TrainingColumn[] = ['collar_number', 'course_code', 'completed_on', 'result'];

/** The fields of a record sent as JSON, in the same order. */
export const TRAINING_RECORD_FIELDS = ['collarNumber', 'courseCode', 'completedOn', 'result', 'reason'] as const;
export type TrainingField = (typeof TRAINING_RECORD_FIELDS)[number];

const COLUMN_OF: Record<TrainingField, TrainingColumn> = {
  collarNumber: 'collar_number',
  courseCode: 'course_code',
  completedOn: 'completed_on',
  result: 'result',
  reason: 'reason',
};

/**
 * Where a problem is: a CSV file names the physical line (header = 1) and the column; a JSON
 * list names the record's index (from 0) in `line` and its field in `column`.
 */
export type TrainingSource = 'csv' | 'json';

const columnName = (field: TrainingField, source: TrainingSource): string => (source === 'csv' ? COLUMN_OF[field] : field);
const placeName = (line: number, source: TrainingSource) => (source === 'csv' ? `line ${line}` : `record ${line}`);

/** One record that passed its own checks, and where it came from. */
export interface TrainingRow {
  line: number;
  record: TrainingRecordInput;
}

export interface TrainingRead {
  source: TrainingSource;
  /** For a CSV file, how it was decoded. */
  encoding: CsvEncoding | null;
  /** The header's line (CSV), or null. */
  headerLine: number | null;
  /** Data rows in the file (blank lines not counted) or records in the list, accepted or not. */
  count: number;
  /** Rows without problems of their own, in order. */
  rows: TrainingRow[];
  /** Every problem found, sorted by line then column. */
  errors: RowError[];
  /** A problem with the whole file (layout, encoding): no row was checked. */
  fatal: boolean;
}

// ---------------------------------------------------------------------------------------
// Values

/** `Pass`, `FAIL`, `did not finish`, `Did-Not-Finish` → the stored words. */
export function trainingResult(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const realDay = (day: string) => {
  const t = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === day;
};

/** Checks one record's values (already in the JSON field shape); `dateText` is the date as written. Errors are by field. */
function checkValues(input: Record<TrainingField, unknown>, today: string, own: Map<TrainingField, string>, dateText?: string): { record?: TrainingRecordInput; problems: Map<TrainingField, string> } {
  const problems = new Map(own);
  const day = input.completedOn;
  if (!problems.has('completedOn') && typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) && !realDay(day)) {
    problems.set('completedOn', `There is no day ${dateText ?? day}: check the day and the month`);
  }
  if (!problems.has('completedOn') && typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) && day > today) {
    problems.set('completedOn', `The course cannot have ended after today (${today}): check the date ${dateText ?? day}`);
  }
  if (!problems.has('completedOn') && typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) && day < EARLIEST_TRAINING) {
    problems.set('completedOn', `The course cannot have ended before 2003, when forces first trained officers on Taser: check the year of ${dateText ?? day}`);
  }
  const parsed = trainingRecordInput.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '') as TrainingField;
      const key = (TRAINING_RECORD_FIELDS as readonly string[]).includes(field) ? field : 'collarNumber';
      if (!problems.has(key)) problems.set(key, issue.message);
    }
  }
  // The schema's own reason check runs only when every field reads: say it here too, so a row lists all its problems.
  const failed = input.result === 'fail' || input.result === 'did_not_finish';
  if (failed && !problems.has('reason') && (typeof input.reason !== 'string' || input.reason.trim() === '')) problems.set('reason', 'Give the reason the officer did not pass');
  return problems.size || !parsed.success ? { problems } : { record: parsed.data, problems };
}

const fieldOrder = (column: string | null, source: TrainingSource) => {
  if (column === null) return -1;
  const names: readonly string[] = source === 'csv' ? TRAINING_COLUMNS : TRAINING_RECORD_FIELDS;
  const i = names.indexOf(column);
  return i < 0 ? names.length : i;
};

/** Sorts problems as a person reads the file: by line, then by column. */
export function sortTrainingErrors(errors: RowError[], source: TrainingSource): RowError[] {
  return errors.sort((a, b) => a.line - b.line || fieldOrder(a.column, source) - fieldOrder(b.column, source));
}

// ---------------------------------------------------------------------------------------
// CSV

type Header = CsvHeader<TrainingColumn>;

function checkCsvRow(record: RawRecord, header: Header, today: string): { row?: TrainingRow; errors: RowError[] } {
  const { line } = record;
  const read = rowValues(record, header);
  if ('error' in read) return { errors: [read.error] };
  const value = read.values;
  const get = (c: TrainingColumn) => value.get(c) ?? '';
  const own = new Map<TrainingField, string>();

  const dateText = get('completed_on');
  const completedOn = dateText === '' ? '' : csvDate(dateText);
  if (dateText === '') own.set('completedOn', 'Enter the day the course ended, as YYYY-MM-DD or DD/MM/YYYY');
  else if (!completedOn) own.set('completedOn', `Enter the day the course ended as YYYY-MM-DD or DD/MM/YYYY, for example 2019-04-01 or 01/04/2019, not ${quoteValue(dateText)}`);

  const resultText = get('result');
  if (resultText === '') own.set('result', 'Enter the result: pass, fail or did_not_finish');
  const result = trainingResult(resultText);
  if (resultText !== '' && result !== 'pass' && result !== 'fail' && result !== 'did_not_finish') own.set('result', `The result must be pass, fail or did_not_finish, not ${quoteValue(resultText)}`);
  if (!header.present.has('reason') && (result === 'fail' || result === 'did_not_finish')) {
    own.set('reason', 'Give the reason the officer did not pass: the file has no reason column, so add one');
  }

  const { record: parsed, problems } = checkValues(
    { collarNumber: get('collar_number'), courseCode: get('course_code'), completedOn: completedOn ?? dateText, result, reason: get('reason') },
    today,
    own,
    dateText,
  );
  const errors = [...problems].map(([field, message]) => ({ line, column: columnName(field, 'csv'), message }));
  return parsed ? { row: { line, record: parsed }, errors } : { errors };
}

/** Reads and checks a whole CSV file of training records (see the layout above). */
export function readTrainingCsv(bytes: Uint8Array, today: string): TrainingRead {
  const base = { source: 'csv' as const, headerLine: null, count: 0, rows: [] };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      ...base,
      encoding: 'utf-8',
      fatal: true,
      errors: [{ line: 1, column: null, message: 'The file is saved as UTF-16 ("Unicode text"): save it as "CSV UTF-8 (Comma delimited)" and import it again' }],
    };
  }
  const { text, encoding } = decodeCsv(bytes);
  const { records, errors } = readRecords(text);
  const [first, ...data] = records;
  if (!first) {
    if (errors.length) return { ...base, encoding, fatal: true, errors: sortTrainingErrors(errors, 'csv') };
    return {
      ...base,
      encoding,
      fatal: true,
      errors: [{ line: 1, column: null, message: `The file is empty: it needs a header row (${TRAINING_COLUMNS.join(',')}) and a row for each course an officer completed` }],
    };
  }
  // Rows that could not be read at all still count as rows of the file.
  const count = data.length + errors.filter((e) => e.line > first.line).length;
  const { header, errors: headerErrors } = readCsvHeader(first, data, TRAINING_COLUMNS, REQUIRED_TRAINING_COLUMNS);
  if (headerErrors.length) return { ...base, encoding, headerLine: first.line, count, fatal: true, errors: sortTrainingErrors(headerErrors, 'csv') };
  if (data.length === 0 && errors.length === 0) {
    return {
      ...base,
      encoding,
      headerLine: first.line,
      fatal: true,
      errors: [{ line: first.line, column: null, message: 'The file has a header row but no training records: add a row for each course an officer completed' }],
    };
  }
  const rows: TrainingRow[] = [];
  for (const record of data) {
    const checked = checkCsvRow(record, header, today);
    errors.push(...checked.errors);
    if (checked.row) rows.push(checked.row);
  }
  return { source: 'csv', encoding, headerLine: first.line, count, rows, errors: sortTrainingErrors(errors, 'csv'), fatal: false };
}

// ---------------------------------------------------------------------------------------
// JSON

/** Checks a list of records sent as JSON: each an object with the fields above, nothing else. */
export function readTrainingRecords(records: readonly unknown[], today: string): TrainingRead {
  const rows: TrainingRow[] = [];
  const errors: RowError[] = [];
  records.forEach((item, line) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      errors.push({ line, column: null, message: `Send each record as an object with ${TRAINING_RECORD_FIELDS.join(', ')}` });
      return;
    }
    const unknown = Object.keys(item).filter((k) => !(TRAINING_RECORD_FIELDS as readonly string[]).includes(k));
    for (const k of unknown) errors.push({ line, column: k, message: `Unknown field: the fields are ${TRAINING_RECORD_FIELDS.join(', ')}` });
    const o = item as Record<string, unknown>;
    const { record, problems } = checkValues({ collarNumber: o.collarNumber, courseCode: o.courseCode, completedOn: o.completedOn, result: o.result, reason: o.reason }, today, new Map());
    errors.push(...[...problems].map(([field, message]) => ({ line, column: field, message })));
    if (record && unknown.length === 0) rows.push({ line, record });
  });
  return { source: 'json', encoding: null, headerLine: null, count: records.length, rows, errors: sortTrainingErrors(errors, 'json'), fatal: false };
}

// ---------------------------------------------------------------------------------------
// Planning the import

/** The key a record is stored under: one officer's result on one course on one day. */
export function trainingSourceKey(r: { officerId: string; courseTypeId: string; completedOn: string }): string {
  return `training:${r.officerId}:${r.courseTypeId}:${r.completedOn}`;
}

export interface TrainingReferences {
  /** The force's officers named in the rows, by collar number (upper case). */
  officers: ReadonlyMap<string, { id: string }>;
  /** The force's course types, by code. */
  courses: ReadonlyMap<string, { id: string }>;
  /** Results Cedar already holds, by `trainingSourceKey` (from any source: imports and sessions). */
  existing: ReadonlyMap<string, readonly TrainingResult[]>;
}

export interface PlannedRecord {
  line: number;
  officerId: string;
  courseTypeId: string;
  completedOn: string;
  result: TrainingResult;
  reason: string | null;
  sourceKey: string;
}

export interface TrainingPlan {
  insert: PlannedRecord[];
  /** Rows Cedar already holds (same officer, course, day and result). */
  alreadyPresent: number;
  errors: RowError[];
}

const RESULT_WORDS: Record<TrainingResult, string> = { pass: 'pass', fail: 'fail', did_not_finish: 'did_not_finish' };

function courseHint(courses: ReadonlyMap<string, unknown>): string {
  const codes = [...courses.keys()].sort();
  return codes.length > 12 ? `${codes.slice(0, 12).join(', ')} and ${codes.length - 12} more` : codes.join(', ');
}

/**
 * What an import stores: each row's officer and course found, duplicates in the file and
 * conflicts with Cedar's records found, records Cedar already holds counted and left out.
 */
export function planTrainingImport(rows: readonly TrainingRow[], refs: TrainingReferences, source: TrainingSource): TrainingPlan {
  const plan: TrainingPlan = { insert: [], alreadyPresent: 0, errors: [] };
  const seen = new Map<string, { line: number; result: TrainingResult }>();
  const col = (f: TrainingField) => columnName(f, source);
  for (const { line, record: r } of rows) {
    const officer = refs.officers.get(r.collarNumber);
    const course = refs.courses.get(r.courseCode);
    if (!officer) plan.errors.push({ line, column: col('collarNumber'), message: `No officer with collar number ${r.collarNumber} in Cedar: check the number, or import the officer first` });
    if (!course) plan.errors.push({ line, column: col('courseCode'), message: `No course with the code ${r.courseCode} in Cedar: the codes are ${courseHint(refs.courses)}` });
    if (!officer || !course) continue;

    const key = trainingSourceKey({ officerId: officer.id, courseTypeId: course.id, completedOn: r.completedOn });
    const earlier = seen.get(key);
    if (earlier) {
      plan.errors.push(
        earlier.result === r.result
          ? { line, column: col('collarNumber'), message: `The same record is on ${placeName(earlier.line, source)}: list each course an officer completed once` }
          : {
              line,
              column: col('result'),
              message: `${placeName(earlier.line, source)} gives ${r.collarNumber} ${RESULT_WORDS[earlier.result]} on ${r.courseCode} on ${r.completedOn}: an officer has one result for a course on a day, so keep the right one`,
            },
      );
      continue;
    }
    seen.set(key, { line, result: r.result });

    const held = refs.existing.get(key) ?? [];
    if (held.includes(r.result)) {
      plan.alreadyPresent++;
      continue;
    }
    if (held.length) {
      plan.errors.push({
        line,
        column: col('result'),
        message: `Cedar already records ${held.map((h) => RESULT_WORDS[h]).join(' and ')} for ${r.collarNumber} on ${r.courseCode} on ${r.completedOn}: a record is never overwritten, so correct this ${source === 'csv' ? 'row' : 'record'} or leave it out`,
      });
      continue;
    }
    plan.insert.push({ line, officerId: officer.id, courseTypeId: course.id, completedOn: r.completedOn, result: r.result, reason: r.reason ?? null, sourceKey: key });
  }
  plan.errors = sortTrainingErrors(plan.errors, source);
  return plan;
}

/** How many rows have at least one problem (problems with the header or the file are not rows). */
export function rejectedRowCount(errors: readonly RowError[], headerLine: number | null): number {
  return new Set(errors.filter((e) => headerLine === null || e.line > headerLine).map((e) => e.line)).size;
}
