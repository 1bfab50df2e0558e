/**
 * The fleet register and cartridges from CSV files (issue 12): `cedar import devices FILE` and
 * `cedar import cartridges FILE`. Pure: the rows, or every problem by line and column. The
 * service resolves models and armouries against what the force has and stores all or nothing.
 *
 *   devices:     serial,model,armoury,status,firmware,in_service_on
 *   cartridges:  serial,type,lot,expires_on,armoury
 *
 * `armoury` is a borough's or a force-wide unit's name or code, blank for the central store.
 * `status` is `in service`, `in repair`, `quarantined` or `withdrawn`. Dates are YYYY-MM-DD or
 * DD/MM/YYYY. Header names in any case and any order; a serial twice in one file is an error on
 * the later line.
 */
import { csvDate, decodeCsv, quoteValue, readCsvHeader, readRecords, rowValues, type CsvEncoding, type RowError } from '../csv.js';
import { IMPORT_STATUSES, type DeviceState } from './lifecycle.js';

export const DEVICE_COLUMNS = ['serial', 'model', 'armoury', 'status', 'firmware', 'in_service_on'] as const;
export type DeviceColumn = (typeof DEVICE_COLUMNS)[number];
export const CARTRIDGE_COLUMNS = ['serial', 'type', 'lot', 'expires_on', 'armoury'] as const;
export type CartridgeColumn = (typeof CARTRIDGE_COLUMNS)[number];

/** Serial numbers: letters, digits and hyphens, kept in capitals. */
export const SERIAL_PATTERN = /^[A-Z0-9][A-Z0-9-]{2,39}$/;

export interface DeviceRow {
  line: number;
  serial: string;
  model: string;
  armoury: string;
  state: DeviceState;
  firmware: string | null;
  inServiceOn: string | null;
}

export interface CartridgeRow {
  line: number;
  serial: string;
  type: string;
  lot: string;
  expiresOn: string;
  armoury: string;
}

export interface Read<R> {
  encoding: CsvEncoding;
  /** Data rows in the file, accepted or not. */
  count: number;
  rows: R[];
  /** Every problem, by line then column. */
  errors: RowError[];
}

function readFile<C extends string, R>(
  bytes: Uint8Array,
  columns: readonly C[],
  required: readonly C[],
  row: (values: Map<C, string>, line: number, problem: (column: C, message: string) => void) => R | null,
  /** The column whose value may appear once in a file; null: none. */
  unique: C | null = 'serial' as C,
): Read<R> {
  const { text, encoding } = decodeCsv(bytes);
  const { records, errors } = readRecords(text);
  const [head, ...data] = records;
  if (!head) return { encoding, count: 0, rows: [], errors: [...errors, { line: 1, column: null, message: `The file is empty: it needs a header row (${columns.join(',')})` }] };
  const h = readCsvHeader(head, data, columns, required);
  if (h.fatal || h.errors.length) return { encoding, count: data.length, rows: [], errors: [...errors, ...h.errors] };
  const rows: R[] = [];
  const seen = new Map<string, number>();
  for (const record of data) {
    const v = rowValues(record, h.header);
    if ('error' in v) {
      errors.push(v.error);
      continue;
    }
    let bad = false;
    const problem = (column: C, message: string) => {
      bad = true;
      errors.push({ line: record.line, column, message });
    };
    const r = row(v.values, record.line, problem);
    const serial = unique ? (v.values.get(unique) ?? '').toUpperCase() : '';
    if (serial && seen.has(serial)) problem(unique!, `The serial ${serial} is also on line ${seen.get(serial)}: each device or cartridge once`);
    else if (serial) seen.set(serial, record.line);
    if (!bad && r) rows.push(r);
  }
  errors.sort((a, b) => a.line - b.line || String(a.column ?? '').localeCompare(String(b.column ?? '')));
  return { encoding, count: data.length, rows, errors };
}

/** A real day, `YYYY-MM-DD`, from either form; undefined otherwise. */
function realDate(value: string): string | undefined {
  const d = csvDate(value);
  if (!d) return undefined;
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d ? d : undefined;
}

function serialOf(value: string, problem: (message: string) => void): string {
  const serial = value.toUpperCase();
  if (!serial) problem('Enter the serial number');
  else if (!SERIAL_PATTERN.test(serial)) problem(`${quoteValue(value)} is not a serial number: 3 to 40 letters, digits and hyphens`);
  return serial;
}

function text(value: string, what: string, max: number, problem: (message: string) => void, required = true): string {
  if (!value && required) problem(`Enter the ${what}`);
  else if (value.length > max) problem(`The ${what} must be ${max} characters or fewer`);
  return value;
}

export function readDeviceFile(bytes: Uint8Array): Read<DeviceRow> {
  return readFile(bytes, DEVICE_COLUMNS, ['serial', 'model', 'armoury', 'status'], (v, line, problem) => {
    const serial = serialOf(v.get('serial') ?? '', (m) => problem('serial', m));
    const model = text(v.get('model') ?? '', 'model', 40, (m) => problem('model', m));
    const armoury = text(v.get('armoury') ?? '', 'armoury', 100, (m) => problem('armoury', m), false);
    const status = (v.get('status') ?? '').toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
    const state = IMPORT_STATUSES[status];
    if (!state) problem('status', `${quoteValue(v.get('status') ?? '')} is not a status: in service, in repair, quarantined or withdrawn`);
    const firmware = text(v.get('firmware') ?? '', 'firmware', 40, (m) => problem('firmware', m), false) || null;
    const rawDate = v.get('in_service_on') ?? '';
    const inServiceOn = rawDate ? (realDate(rawDate) ?? null) : null;
    if (rawDate && !inServiceOn) problem('in_service_on', `${quoteValue(rawDate)} is not a date: use YYYY-MM-DD or DD/MM/YYYY`);
    return state ? { line, serial, model, armoury, state, firmware, inServiceOn } : null;
  });
}

export function readCartridgeFile(bytes: Uint8Array): Read<CartridgeRow> {
  return readFile(bytes, CARTRIDGE_COLUMNS, ['serial', 'type', 'lot', 'expires_on', 'armoury'], (v, line, problem) => {
    const serial = serialOf(v.get('serial') ?? '', (m) => problem('serial', m));
    const type = text(v.get('type') ?? '', 'cartridge type', 40, (m) => problem('type', m));
    const lot = text(v.get('lot') ?? '', 'lot', 40, (m) => problem('lot', m));
    const rawDate = v.get('expires_on') ?? '';
    const expiresOn = realDate(rawDate);
    if (!rawDate) problem('expires_on', 'Enter the expiry date');
    else if (!expiresOn) problem('expires_on', `${quoteValue(rawDate)} is not a date: use YYYY-MM-DD or DD/MM/YYYY`);
    const armoury = text(v.get('armoury') ?? '', 'armoury', 100, (m) => problem('armoury', m), false);
    return expiresOn ? { line, serial, type, lot, expiresOn, armoury } : null;
  });
}

// ---- the sign-out history -----------------------------------------------------------------

export const ISSUE_COLUMNS = ['device_serial', 'collar_number', 'issued_at', 'returned_at', 'cartridges'] as const;
export type IssueColumn = (typeof ISSUE_COLUMNS)[number];

export interface IssueHistoryRow {
  line: number;
  deviceSerial: string;
  collarNumber: string;
  /** ISO 8601 UTC. */
  issuedAt: string;
  returnedAt: string | null;
  cartridges: string[];
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 instant with its offset (`2026-11-30T07:00:00Z`, `…+01:00`) as UTC, or undefined. */
export function instantOf(value: string): string | undefined {
  if (!INSTANT.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/**
 * `cedar import device-issues FILE`: the sign-outs a force's previous system recorded. History is
 * not gated, but a device out twice at once, or an officer holding two devices at once, is a line
 * error (`overlaps` checks the file's rows against each other and against what Cedar holds).
 */
export function readIssueFile(bytes: Uint8Array): Read<IssueHistoryRow> {
  return readFile(
    bytes,
    ISSUE_COLUMNS,
    ['device_serial', 'collar_number', 'issued_at', 'returned_at'],
    (v, line, problem) => {
      const deviceSerial = serialOf(v.get('device_serial') ?? '', (m) => problem('device_serial', m));
      const collarNumber = text(v.get('collar_number') ?? '', 'collar number', 20, (m) => problem('collar_number', m)).toUpperCase();
      const rawIssued = v.get('issued_at') ?? '';
      const issuedAt = instantOf(rawIssued);
      if (!rawIssued) problem('issued_at', 'Enter when the device was issued');
      else if (!issuedAt) problem('issued_at', `${quoteValue(rawIssued)} is not an instant: use ISO 8601 with its offset, like 2026-11-30T07:00:00+00:00`);
      const rawReturned = v.get('returned_at') ?? '';
      const returnedAt = rawReturned ? instantOf(rawReturned) : null;
      if (rawReturned && !returnedAt) problem('returned_at', `${quoteValue(rawReturned)} is not an instant: use ISO 8601 with its offset, or leave it blank while the device is out`);
      if (issuedAt && returnedAt && returnedAt <= issuedAt) problem('returned_at', 'The return must be after the issue');
      const cartridges = (v.get('cartridges') ?? '')
        .split(';')
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean);
      for (const c of cartridges) if (!SERIAL_PATTERN.test(c)) problem('cartridges', `${quoteValue(c)} is not a cartridge serial: separate serials with ;`);
      return issuedAt && returnedAt !== undefined ? { line, deviceSerial, collarNumber, issuedAt, returnedAt, cartridges } : null;
    },
    null,
  );
}

export interface Span {
  key: string;
  from: string;
  /** null while open. */
  to: string | null;
  line: number | null;
}

const overlap = (a: Span, b: Span) => a.from < (b.to ?? '9999') && b.from < (a.to ?? '9999');

/** For each new span, the first span of the same key (stored, or earlier in the file) it overlaps. */
export function overlaps(stored: readonly Span[], fresh: readonly Span[]): Map<number, Span> {
  const byKey = new Map<string, Span[]>();
  for (const s of stored) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
  const out = new Map<number, Span>();
  for (const s of fresh) {
    const list = byKey.get(s.key) ?? [];
    const clash = list.find((o) => overlap(o, s));
    if (clash) out.set(s.line!, clash);
    else byKey.set(s.key, [...list, s]);
  }
  return out;
}
