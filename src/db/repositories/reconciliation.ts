/**
 * The reconciliation of device logs with reports (issue 13): what it reads (a device's log in
 * sequence order, its issue records, the reports naming serials) and what it keeps (its runs, its
 * exceptions and the reports its episodes confirmed).
 *
 * A year's logs are millions of rows, so they are read one device at a time: the next serial is
 * one index seek past the last, and its log one range of the primary key.
 */
import type { IssueSpan, LogEvent, LogEventKind, ReportClaim } from '../../domain/devices/reconcile.js';
import type { CedLevel } from '../../domain/report/levels.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';

// ---- reading ------------------------------------------------------------------------------------

/** A device of the register, as the reconciliation needs it. */
export interface RegisteredDevice {
  id: string;
  serial: string;
  modelName: string;
  armouryBoroughId: string | null;
}

/** Every device in the register by serial (upper-cased, as logs and reports give it). */
export async function registeredDevices(db: Executor, forceId: string): Promise<Map<string, RegisteredDevice>> {
  const rows = await db
    .selectFrom('device as d')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .select(['d.id', 'd.serial', 'm.name as model_name', 'd.armoury_borough_id'])
    .where('d.force_id', '=', forceId)
    .execute();
  return new Map(rows.map((r) => [r.serial.toUpperCase(), { id: r.id, serial: r.serial.toUpperCase(), modelName: r.model_name, armouryBoroughId: r.armoury_borough_id }]));
}

/** The first serial with log entries after `after` ('' for the first), or undefined when there are no more. */
export async function nextLoggedSerial(db: Executor, forceId: string, after: string): Promise<string | undefined> {
  const row = await db.selectFrom('device_log_entry').select('device_serial').where('force_id', '=', forceId).where('device_serial', '>', after).orderBy('device_serial').limit(1).executeTakeFirst();
  return row?.device_serial;
}

/** The serials with log entries, one device at a time, in serial order. */
export async function* loggedSerials(db: Executor, forceId: string): AsyncGenerator<string> {
  let after = '';
  for (;;) {
    const next = await nextLoggedSerial(db, forceId, after);
    if (next === undefined) return;
    yield next;
    after = next;
  }
}

type EntryRow = {
  sequence: number;
  device_time: string;
  event: string;
  duration_s: number | null;
  bay: number | null;
  cartridge_serial: string | null;
  true_time: string | null;
};

const logEvent = (r: EntryRow): LogEvent => ({
  sequence: Number(r.sequence),
  deviceTime: r.device_time,
  event: r.event as LogEventKind,
  durationS: r.duration_s === null ? null : Number(r.duration_s),
  bay: r.bay === null ? null : Number(r.bay),
  cartridgeSerial: r.cartridge_serial,
  trueTime: r.true_time,
});

/** A device's whole log, in sequence order. */
export async function deviceLog(db: Executor, forceId: string, serial: string): Promise<LogEvent[]> {
  const rows = await db
    .selectFrom('device_log_entry')
    .select(['sequence', 'device_time', 'event', 'duration_s', 'bay', 'cartridge_serial', 'true_time'])
    .where('force_id', '=', forceId)
    .where('device_serial', '=', serial)
    .orderBy('sequence')
    .execute();
  return rows.map(logEvent);
}

/** An issue of the device, with the holder's collar number and borough (the exception's borough). */
export interface HolderSpan extends IssueSpan {
  officerBoroughId: string | null;
  officerName: string;
}

/** Every issue of a device, oldest first. */
export async function deviceIssueSpans(db: Executor, deviceId: string): Promise<HolderSpan[]> {
  const rows = await db
    .selectFrom('device_issue as i')
    .innerJoin('officer as o', 'o.id', 'i.officer_id')
    .select(['i.officer_id', 'o.collar_number', 'o.first_name', 'o.last_name', 'o.borough_id', 'i.issued_at', 'i.returned_at'])
    .where('i.device_id', '=', deviceId)
    .orderBy('i.issued_at')
    .execute();
  return rows.map((r) => ({
    officerId: r.officer_id,
    collarNumber: r.collar_number,
    officerName: `${r.first_name} ${r.last_name}`,
    officerBoroughId: r.borough_id,
    issuedAt: r.issued_at,
    returnedAt: r.returned_at,
  }));
}

/** A report naming a serial, with what the reconciliation reads from it and where it belongs. */
export interface NamingClaim extends ReportClaim {
  serial: string;
  boroughId: string | null;
  /** Cedar's reports: the officer who wrote it. */
  officerId: string | null;
}

interface CedShape {
  deviceSerial?: unknown;
  applications?: { levels?: unknown; fired?: { totalCycles?: unknown; cycleExtended?: unknown } | null }[];
}

/** Levels, cycles and "cycle extended" across a Taser section's applications (Cedar's or an imported row's). */
export function claimOf(ced: CedShape | null | undefined): { serial: string; levels: CedLevel[]; totalCycles: number | null; cycleExtended: boolean | null } | null {
  if (!ced || typeof ced.deviceSerial !== 'string' || !ced.deviceSerial.trim()) return null;
  const levels = new Set<CedLevel>();
  let totalCycles: number | null = null;
  let cycleExtended: boolean | null = null;
  for (const a of Array.isArray(ced.applications) ? ced.applications : []) {
    if (Array.isArray(a.levels)) for (const l of a.levels) if (typeof l === 'string') levels.add(l as CedLevel);
    const fired = a.fired;
    if (!fired) continue;
    if (typeof fired.totalCycles === 'number') totalCycles = (totalCycles ?? 0) + fired.totalCycles;
    if (fired.cycleExtended === true) cycleExtended = true;
    else if (fired.cycleExtended === false && cycleExtended === null) cycleExtended = false;
  }
  return { serial: ced.deviceSerial.trim().toUpperCase(), levels: [...levels], totalCycles, cycleExtended };
}

/**
 * The reports naming a device whose incident time is in [from, to) (UTC instants): Cedar's
 * (submitted, not drafts or discarded, Taser used) and imported Met-format rows. Both keep the
 * incident time as a UTC instant already turned from London's clock (londonInstant) when stored.
 */
export async function claimsBetween(db: Executor, forceId: string, from: string, to: string): Promise<NamingClaim[]> {
  const claims: NamingClaim[] = [];
  const reports = await db
    .selectFrom('uof_report as r')
    .leftJoin('incident as i', 'i.id', 'r.incident_id')
    .select(['r.id', 'r.content', 'r.occurred_at', 'r.borough_id', 'r.officer_id', 'i.reference'])
    .where('r.force_id', '=', forceId)
    .where('r.status', 'not in', ['draft', 'discarded'])
    .where('r.ced_used', '=', 1)
    .where('r.occurred_at', '>=', from)
    .where('r.occurred_at', '<', to)
    .execute();
  for (const r of reports) {
    const claim = claimOf((JSON.parse(r.content) as { ced?: CedShape }).ced);
    if (!claim || r.occurred_at === null) continue;
    claims.push({ kind: 'report', id: r.id, ref: r.reference ?? r.id, occurredAt: r.occurred_at, boroughId: r.borough_id, officerId: r.officer_id, ...claim });
  }
  const imported = await db
    .selectFrom('imported_report as i')
    .innerJoin('imported_report_row as r', 'r.id', 'i.id')
    .select(['i.id', 'i.occurred_at', 'i.borough_id', 'i.source_file', 'i.source_line', 'r.row'])
    .where('i.force_id', '=', forceId)
    .where('i.ced_used', '=', 1)
    .where('i.occurred_at', '>=', from)
    .where('i.occurred_at', '<', to)
    .execute();
  for (const r of imported) {
    const claim = claimOf((JSON.parse(r.row) as { ced?: CedShape | null }).ced);
    if (!claim) continue;
    claims.push({ kind: 'imported', id: r.id, ref: `${r.source_file}:${Number(r.source_line)}`, occurredAt: r.occurred_at, boroughId: r.borough_id, officerId: null, ...claim });
  }
  return claims;
}

// ---- exceptions ---------------------------------------------------------------------------------

export type ExceptionState = 'open' | 'resolved' | 'cleared';

export interface StoredException {
  id: string;
  key: string;
  kind: string;
  deviceSerial: string;
  deviceId: string | null;
  boroughId: string | null;
  startsAt: string;
  endsAt: string;
  reportIds: string[];
  reportRefs: string[];
  officerId: string | null;
  officerCollar: string | null;
  detail: string;
  evidence: string;
  state: ExceptionState;
  outcome: string | null;
  resolutionReason: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  foundAt: string;
  lastSeenAt: string;
  revision: number;
}

type ExceptionRow = {
  id: string;
  key: string;
  kind: string;
  device_serial: string;
  device_id: string | null;
  borough_id: string | null;
  starts_at: string;
  ends_at: string;
  report_ids: string;
  report_refs: string;
  officer_id: string | null;
  officer_collar: string | null;
  detail: string;
  evidence: string;
  state: string;
  outcome: string | null;
  resolution_reason: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  found_at: string;
  last_seen_at: string;
  revision: number;
};

const toException = (r: ExceptionRow): StoredException => ({
  id: r.id,
  key: r.key,
  kind: r.kind,
  deviceSerial: r.device_serial,
  deviceId: r.device_id,
  boroughId: r.borough_id,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  reportIds: JSON.parse(r.report_ids) as string[],
  reportRefs: JSON.parse(r.report_refs) as string[],
  officerId: r.officer_id,
  officerCollar: r.officer_collar,
  detail: r.detail,
  evidence: r.evidence,
  state: r.state as ExceptionState,
  outcome: r.outcome,
  resolutionReason: r.resolution_reason,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at,
  foundAt: r.found_at,
  lastSeenAt: r.last_seen_at,
  revision: Number(r.revision),
});

const EXCEPTION_COLUMNS = [
  'id',
  'key',
  'kind',
  'device_serial',
  'device_id',
  'borough_id',
  'starts_at',
  'ends_at',
  'report_ids',
  'report_refs',
  'officer_id',
  'officer_collar',
  'detail',
  'evidence',
  'state',
  'outcome',
  'resolution_reason',
  'resolved_by',
  'resolved_at',
  'found_at',
  'last_seen_at',
  'revision',
] as const;

const CHUNK = 500;

/** The stored exceptions with these keys. */
export async function exceptionsByKey(db: Executor, forceId: string, keys: readonly string[]): Promise<Map<string, StoredException>> {
  const out = new Map<string, StoredException>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await db
      .selectFrom('reconciliation_exception')
      .select(EXCEPTION_COLUMNS)
      .where('force_id', '=', forceId)
      .where('key', 'in', keys.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.key, toException(r));
  }
  return out;
}

/** The exceptions, not cleared, that start in [from, to): those a run of that window may clear. */
export async function liveExceptionsBetween(db: Executor, forceId: string, from: string, to: string): Promise<StoredException[]> {
  const rows = await db
    .selectFrom('reconciliation_exception')
    .select(EXCEPTION_COLUMNS)
    .where('force_id', '=', forceId)
    .where('state', '!=', 'cleared')
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to)
    .execute();
  return rows.map(toException);
}

export type NewException = Omit<StoredException, 'id' | 'revision' | 'outcome' | 'resolutionReason' | 'resolvedBy' | 'resolvedAt'>;

export async function insertExceptions(db: Executor, forceId: string, list: readonly NewException[]): Promise<void> {
  const rows = list.map((e) => ({
    id: newId(),
    force_id: forceId,
    key: e.key,
    kind: e.kind,
    device_serial: e.deviceSerial,
    device_id: e.deviceId,
    borough_id: e.boroughId,
    starts_at: e.startsAt,
    ends_at: e.endsAt,
    report_ids: JSON.stringify(e.reportIds),
    report_refs: JSON.stringify(e.reportRefs),
    officer_id: e.officerId,
    officer_collar: e.officerCollar,
    detail: e.detail,
    evidence: e.evidence,
    state: e.state,
    outcome: null,
    resolution_reason: null,
    resolved_by: null,
    resolved_at: null,
    found_at: e.foundAt,
    last_seen_at: e.lastSeenAt,
    revision: 0,
  }));
  // 23 columns a row: 40 rows keep a statement under SQLite's 999 variables.
  for (let i = 0; i < rows.length; i += 40)
    await db
      .insertInto('reconciliation_exception')
      .values(rows.slice(i, i + 40))
      .execute();
}

/** A run's sight of an exception it found again: what it rests on now, its state, and when it was last seen. */
export interface ExceptionSeen {
  id: string;
  state: ExceptionState;
  /** Clears the resolution (a reopened exception). */
  clearResolution: boolean;
  found: Pick<NewException, 'deviceId' | 'boroughId' | 'startsAt' | 'endsAt' | 'reportIds' | 'reportRefs' | 'officerId' | 'officerCollar' | 'detail' | 'evidence'>;
  at: string;
}

export async function updateSeenException(db: Executor, s: ExceptionSeen): Promise<void> {
  await db
    .updateTable('reconciliation_exception')
    .set((eb) => ({
      device_id: s.found.deviceId,
      borough_id: s.found.boroughId,
      starts_at: s.found.startsAt,
      ends_at: s.found.endsAt,
      report_ids: JSON.stringify(s.found.reportIds),
      report_refs: JSON.stringify(s.found.reportRefs),
      officer_id: s.found.officerId,
      officer_collar: s.found.officerCollar,
      detail: s.found.detail,
      evidence: s.found.evidence,
      state: s.state,
      last_seen_at: s.at,
      revision: eb('revision', '+', 1),
      ...(s.clearResolution ? { outcome: null, resolution_reason: null, resolved_by: null, resolved_at: null } : {}),
    }))
    .where('id', '=', s.id)
    .execute();
}

/** Bumps when an unchanged exception was last seen (its state and revision stay as they are). */
export async function touchExceptions(db: Executor, ids: readonly string[], at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK)
    await db
      .updateTable('reconciliation_exception')
      .set({ last_seen_at: at })
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
}

export async function clearExceptions(db: Executor, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK)
    await db
      .updateTable('reconciliation_exception')
      .set((eb) => ({ state: 'cleared', revision: eb('revision', '+', 1) }))
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
}

export async function getException(db: Executor, forceId: string, id: string): Promise<StoredException | undefined> {
  const row = await db.selectFrom('reconciliation_exception').select(EXCEPTION_COLUMNS).where('force_id', '=', forceId).where('id', '=', id).executeTakeFirst();
  return row && toException(row);
}

/** Resolves an exception if it is still at the revision the person saw: false when someone else changed it first. */
export async function resolveException(db: Executor, id: string, revision: number, r: { outcome: string; reason: string; by: string | null; at: string }): Promise<boolean> {
  const res = await db
    .updateTable('reconciliation_exception')
    .set({ state: 'resolved', outcome: r.outcome, resolution_reason: r.reason, resolved_by: r.by, resolved_at: r.at, revision: revision + 1 })
    .where('id', '=', id)
    .where('revision', '=', revision)
    .where('state', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export interface ExceptionFilter {
  /** null: every borough; else these (an empty list matches nothing). */
  boroughIds: readonly string[] | null;
  boroughId?: string;
  kind?: string;
  state?: ExceptionState;
}

function filtered<Q extends { where: (...a: any[]) => Q }>(q: Q, forceId: string, f: ExceptionFilter, without: { borough?: boolean; kind?: boolean } = {}): Q {
  let out = q.where('force_id', '=', forceId);
  if (f.boroughIds !== null) out = f.boroughIds.length ? out.where('borough_id', 'in', f.boroughIds) : out.where('id', '=', '');
  if (f.boroughId && !without.borough) out = out.where('borough_id', '=', f.boroughId);
  if (f.kind && !without.kind) out = out.where('kind', '=', f.kind);
  if (f.state) out = out.where('state', '=', f.state);
  return out;
}

/** A page of exceptions, newest first, and how many match. */
export async function listExceptions(db: Executor, forceId: string, f: ExceptionFilter, page: { offset: number; limit: number }): Promise<{ rows: StoredException[]; total: number }> {
  const [rows, total] = await Promise.all([
    filtered(db.selectFrom('reconciliation_exception').select(EXCEPTION_COLUMNS), forceId, f).orderBy('starts_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute(),
    filtered(
      db.selectFrom('reconciliation_exception').select((eb) => eb.fn.countAll<number>().as('n')),
      forceId,
      f,
    ).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toException), total: Number(total.n) };
}

/** How many exceptions there are by borough and kind, within the scope and state (not narrowed by the borough and kind chosen). */
export async function exceptionCounts(db: Executor, forceId: string, f: ExceptionFilter): Promise<{ boroughId: string | null; kind: string; n: number }[]> {
  const rows = await filtered(
    db.selectFrom('reconciliation_exception').select((eb) => ['borough_id', 'kind', eb.fn.countAll<number>().as('n')]),
    forceId,
    f,
    { borough: true, kind: true },
  )
    .groupBy(['borough_id', 'kind'])
    .execute();
  return rows.map((r) => ({ boroughId: r.borough_id, kind: r.kind, n: Number(r.n) }));
}

// ---- matches and runs ---------------------------------------------------------------------------

export interface NewMatch {
  reportKind: 'report' | 'imported';
  reportId: string;
  deviceSerial: string;
  episodeStartsAt: string;
  episodeEndsAt: string;
  triggers: number;
  arcs: number;
  /** How far the episode's true time may be out, in seconds (rule 1). */
  widenS: number;
  cycles: number[];
}

/** Replaces the matches of these reports with the run's. */
export async function replaceMatches(db: Executor, forceId: string, reportIds: readonly string[], matches: readonly NewMatch[], runId: string, at: string): Promise<void> {
  for (let i = 0; i < reportIds.length; i += CHUNK)
    await db
      .deleteFrom('reconciliation_match')
      .where('force_id', '=', forceId)
      .where('report_id', 'in', reportIds.slice(i, i + CHUNK))
      .execute();
  const rows = matches.map((m) => ({
    id: newId(),
    force_id: forceId,
    report_kind: m.reportKind,
    report_id: m.reportId,
    device_serial: m.deviceSerial,
    episode_starts_at: m.episodeStartsAt,
    episode_ends_at: m.episodeEndsAt,
    triggers: m.triggers,
    arcs: m.arcs,
    widen_s: Math.round(m.widenS),
    cycles: JSON.stringify(m.cycles),
    run_id: runId,
    matched_at: at,
  }));
  for (let i = 0; i < rows.length; i += 70)
    await db
      .insertInto('reconciliation_match')
      .values(rows.slice(i, i + 70))
      .execute();
}

export async function insertRun(db: Executor, run: { id: string; forceId: string; fromOn: string; toOn: string; ranAt: string; actorId: string | null; summary: unknown }): Promise<void> {
  await db
    .insertInto('reconciliation_run')
    .values({ id: run.id, force_id: run.forceId, from_on: run.fromOn, to_on: run.toOn, ran_at: run.ranAt, actor_id: run.actorId, summary: JSON.stringify(run.summary) })
    .execute();
}

export async function lastRun(db: Executor, forceId: string): Promise<{ fromOn: string; toOn: string; ranAt: string; summary: unknown } | undefined> {
  const r = await db.selectFrom('reconciliation_run').select(['from_on', 'to_on', 'ran_at', 'summary']).where('force_id', '=', forceId).orderBy('ran_at', 'desc').limit(1).executeTakeFirst();
  return r && { fromOn: r.from_on, toOn: r.to_on, ranAt: r.ran_at, summary: JSON.parse(r.summary) as unknown };
}

// ---- the timeline -------------------------------------------------------------------------------

/** The reports an exception names, with what they answered, for its timeline. */
export async function claimsByIds(db: Executor, forceId: string, ids: readonly string[]): Promise<NamingClaim[]> {
  if (ids.length === 0) return [];
  const out: NamingClaim[] = [];
  const reports = await db
    .selectFrom('uof_report as r')
    .leftJoin('incident as i', 'i.id', 'r.incident_id')
    .select(['r.id', 'r.content', 'r.occurred_at', 'r.borough_id', 'r.officer_id', 'i.reference'])
    .where('r.force_id', '=', forceId)
    .where('r.id', 'in', ids)
    .execute();
  for (const r of reports) {
    const claim = claimOf((JSON.parse(r.content) as { ced?: CedShape }).ced);
    if (claim && r.occurred_at) out.push({ kind: 'report', id: r.id, ref: r.reference ?? r.id, occurredAt: r.occurred_at, boroughId: r.borough_id, officerId: r.officer_id, ...claim });
  }
  const imported = await db
    .selectFrom('imported_report as i')
    .innerJoin('imported_report_row as r', 'r.id', 'i.id')
    .select(['i.id', 'i.occurred_at', 'i.borough_id', 'i.source_file', 'i.source_line', 'r.row'])
    .where('i.force_id', '=', forceId)
    .where('i.id', 'in', ids)
    .execute();
  for (const r of imported) {
    const claim = claimOf((JSON.parse(r.row) as { ced?: CedShape | null }).ced);
    if (claim) out.push({ kind: 'imported', id: r.id, ref: `${r.source_file}:${Number(r.source_line)}`, occurredAt: r.occurred_at, boroughId: r.borough_id, officerId: null, ...claim });
  }
  return out;
}

/** Which device the serial is in the register, if it is. */
export async function deviceBySerial(db: Executor, forceId: string, serial: string): Promise<RegisteredDevice | undefined> {
  const r = await db
    .selectFrom('device as d')
    .innerJoin('device_model as m', 'm.id', 'd.model_id')
    .select(['d.id', 'd.serial', 'm.name as model_name', 'd.armoury_borough_id'])
    .where('d.force_id', '=', forceId)
    .where('d.serial', '=', serial)
    .executeTakeFirst();
  return r && { id: r.id, serial: r.serial.toUpperCase(), modelName: r.model_name, armouryBoroughId: r.armoury_borough_id };
}
