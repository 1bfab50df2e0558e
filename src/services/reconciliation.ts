import * as repo from '../db/repositories/reconciliation.js';
import * as org from '../db/repositories/organisation.js';
import { isUniqueViolation } from '../db/errors.js';
import { newId } from '../db/ids.js';
import { addDays, londonMidnightUtc, nextDay, parseIsoDate } from '../domain/calendar.js';
import { EXCEPTION_KINDS, reconcileDevice, type DeviceReconciliation, type ExceptionKind, type PlacedEvent, type ReconException, type Window } from '../domain/devices/reconcile.js';
import { NotFoundError, ValidationError, WorkflowError, type FieldError } from '../domain/errors.js';
import { scopeFor, type Permission, type Scope } from '../domain/permissions.js';
import { change, pageWindow, type Actor, type Page, type Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * The reconciliation of device logs with reports (issue 13). A run reads every device's log one
 * device at a time (a year is millions of entries), places it on true time and matches it with
 * the reports naming the device (src/domain/devices/reconcile.ts holds the rules), then stores
 * what it found in one short transaction: new exceptions open; one found again with the same
 * evidence keeps its state (a resolved one stays resolved); new evidence reopens it; one in the
 * window no longer found is cleared. Armourers and professional standards resolve exceptions
 * with an outcome and a reason, compared and set on the exception's revision.
 */

export interface ReconcileOptions {
  /** London dates, both included: `YYYY-MM-DD`. */
  from: string;
  to: string;
  /** The most days a run may cover (the page's runs wait for the answer; the CLI has no limit). */
  maxDays?: number;
  /** Devices reconciled so far (called every few devices and at the end). */
  onProgress?: (devices: number) => void;
}

export interface ReconciliationSummary {
  from: string;
  to: string;
  devices: number;
  eventsRead: number;
  functionTests: number;
  episodes: number;
  reportsMatched: number;
  exceptionsByKind: Record<ExceptionKind, number>;
  opened: number;
  reopened: number;
  cleared: number;
}

/** An exception a run found, as the CSV and the pages show it. */
export type FoundException = ReconException;

export interface ReconciliationResult extends ReconciliationSummary {
  runId: string;
  /** Every exception the run found in the window, by kind, then serial, then time. */
  exceptions: FoundException[];
}

/** Reports searched on either side of the window: an episode near its edge may match a report just outside it. */
const CLAIM_MARGIN_DAYS = 2;
/** Reopened exceptions named in the run's audit entry (the count is always there). */
const AUDITED_REOPENED = 200;
const PROGRESS_EVERY = 50;

const isX26 = (modelName: string) => modelName.trim().toUpperCase() === 'X26';

/** Reads and checks a run's dates; errors name the field. */
export function reconcileWindow(from: unknown, to: unknown, maxDays?: number): { from: string; to: string; window: Window } {
  const errors: FieldError[] = [];
  const date = (v: unknown, field: 'from' | 'to', words: string) => {
    const text = typeof v === 'string' ? v.trim() : '';
    if (!text) errors.push({ field, message: `Enter the ${words} date, like 2026-04-01` });
    else if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !parseIsoDate(text))
      errors.push({ field, message: `The ${words} date must be a real date in the form YYYY-MM-DD, like 2026-04-01 (got ${JSON.stringify(text.slice(0, 40))})` });
    return text;
  };
  const f = date(from, 'from', 'first');
  const t = date(to, 'to', 'last');
  if (errors.length === 0 && t < f) errors.push({ field: 'to', message: `The last date (${t}) must be the same as or after the first date (${f})` });
  const days = errors.length === 0 ? Math.round((Date.parse(`${t}T00:00:00Z`) - Date.parse(`${f}T00:00:00Z`)) / 86_400_000) + 1 : 0;
  if (maxDays !== undefined && days > maxDays)
    errors.push({ field: 'to', message: `Run at most ${maxDays} days here (you asked for ${days}): for longer, run cedar reconcile --from ${f} --to ${t} --out FILE` });
  if (errors.length) throw new ValidationError(errors);
  return { from: f, to: t, window: { from: londonMidnightUtc(f), to: londonMidnightUtc(nextDay(t)) } };
}

const emptyKinds = (): Record<ExceptionKind, number> => Object.fromEntries(EXCEPTION_KINDS.map((k) => [k, 0])) as Record<ExceptionKind, number>;

const byKindThenTime = (a: ReconException, b: ReconException) =>
  EXCEPTION_KINDS.indexOf(a.kind) - EXCEPTION_KINDS.indexOf(b.kind) || a.deviceSerial.localeCompare(b.deviceSerial) || a.startsAt.localeCompare(b.startsAt) || a.key.localeCompare(b.key);

/** Reconciles every device's log with the reports for the London dates given, and stores what it found. */
export async function runReconciliation(svc: Services, actor: Actor, opts: ReconcileOptions): Promise<ReconciliationResult> {
  const { from, to, window } = reconcileWindow(opts.from, opts.to, opts.maxDays);
  const force = await getForce(svc);
  const db = svc.database.db;

  const register = await repo.registeredDevices(db, force.id);
  const claims = await repo.claimsBetween(db, force.id, addDays(window.from.slice(0, 10), -CLAIM_MARGIN_DAYS), addDays(window.to.slice(0, 10), CLAIM_MARGIN_DAYS + 1));
  const claimsBySerial = new Map<string, repo.NamingClaim[]>();
  for (const c of claims) {
    const list = claimsBySerial.get(c.serial);
    if (list) list.push(c);
    else claimsBySerial.set(c.serial, [c]);
  }
  const inWindow = (at: string) => at >= window.from && at < window.to;
  const windowClaims = claims.filter((c) => inWindow(c.occurredAt));
  const windowClaimIds = new Set(windowClaims.map((c) => c.id));
  const claimById = new Map(claims.map((c) => [c.id, c]));

  let devices = 0;
  let eventsRead = 0;
  let functionTests = 0;
  let episodes = 0;
  const found = new Map<string, repo.NewException>();
  const matches: repo.NewMatch[] = [];
  const at = svc.now().toISOString();

  const reconcileOne = async (serial: string, logged: boolean) => {
    const device = register.get(serial);
    const [events, issues] = await Promise.all([logged ? repo.deviceLog(db, force.id, serial) : [], device ? repo.deviceIssueSpans(db, device.id) : []]);
    const result: DeviceReconciliation = reconcileDevice(
      { serial, splitCycles: device ? isX26(device.modelName) : false, registered: device !== undefined, events, issues, reports: claimsBySerial.get(serial) ?? [] },
      window,
    );
    devices++;
    eventsRead += result.eventsRead;
    functionTests += result.functionTests;
    episodes += result.episodes.length;
    const officerBorough = new Map(issues.map((i) => [i.officerId, i.officerBoroughId]));
    for (const e of result.exceptions) {
      const reportBorough = e.reportIds.map((id) => claimById.get(id)?.boroughId ?? null).find((b) => b !== null) ?? null;
      const boroughId = (e.officerId ? (officerBorough.get(e.officerId) ?? null) : null) ?? device?.armouryBoroughId ?? reportBorough;
      found.set(e.key, {
        key: e.key,
        kind: e.kind,
        deviceSerial: e.deviceSerial,
        deviceId: device?.id ?? null,
        boroughId,
        startsAt: e.startsAt,
        endsAt: e.endsAt,
        reportIds: e.reportIds,
        reportRefs: e.reportRefs,
        officerId: e.officerId,
        officerCollar: e.officerCollar,
        detail: e.detail,
        evidence: e.evidence,
        state: 'open',
        foundAt: at,
        lastSeenAt: at,
      });
    }
    for (const m of result.matches) {
      if (!windowClaimIds.has(m.reportId)) continue;
      matches.push({
        reportKind: m.reportKind,
        reportId: m.reportId,
        deviceSerial: serial,
        episodeStartsAt: m.episode.startsAt,
        episodeEndsAt: m.episode.endsAt,
        triggers: m.episode.triggers,
        arcs: m.episode.arcs,
        widenS: m.episode.widenS,
        cycles: m.episode.cycles.map((c) => c.lengthS),
      });
    }
    if (devices % PROGRESS_EVERY === 0) opts.onProgress?.(devices);
  };

  const seen = new Set<string>();
  for await (const serial of repo.loggedSerials(db, force.id)) {
    seen.add(serial);
    await reconcileOne(serial, true);
  }
  // Serials reports in the window name whose device has no log: an unknown device is an exception.
  for (const serial of new Set(windowClaims.map((c) => c.serial))) if (!seen.has(serial)) await reconcileOne(serial, false);
  opts.onProgress?.(devices);

  const exceptions = [...found.values()];
  const exceptionsByKind = emptyKinds();
  for (const e of exceptions) exceptionsByKind[e.kind as ExceptionKind]++;
  const reportsMatched = new Set(matches.map((m) => m.reportId)).size;
  const runId = newId();

  const store = () =>
    change(svc, actor, async (trx, audit) => {
      const existing = await repo.exceptionsByKey(trx, force.id, [...found.keys()]);
      const fresh: repo.NewException[] = [];
      const unchanged: string[] = [];
      const reopenedList: { id: string; key: string; outcome: string | null; reason: string | null }[] = [];
      for (const e of exceptions) {
        const was = existing.get(e.key);
        if (!was) {
          fresh.push(e);
          continue;
        }
        const sameEvidence = was.evidence === e.evidence;
        if (sameEvidence && was.state !== 'cleared') {
          unchanged.push(was.id);
          continue;
        }
        // Seen again after being cleared with nothing new: back to where it was (resolved if it had been resolved).
        const state = sameEvidence && was.outcome !== null ? 'resolved' : 'open';
        if (state === 'open' && was.state !== 'open') reopenedList.push({ id: was.id, key: was.key, outcome: was.outcome, reason: was.resolutionReason });
        await repo.updateSeenException(trx, { id: was.id, state, clearResolution: state === 'open', found: e, at });
      }
      await repo.insertExceptions(trx, force.id, fresh);
      await repo.touchExceptions(trx, unchanged, at);
      const gone = (await repo.liveExceptionsBetween(trx, force.id, window.from, window.to)).filter((e) => !found.has(e.key)).map((e) => e.id);
      await repo.clearExceptions(trx, gone);
      await repo.replaceMatches(trx, force.id, [...windowClaimIds], matches, runId, at);
      const summary: ReconciliationSummary = {
        from,
        to,
        devices,
        eventsRead,
        functionTests,
        episodes,
        reportsMatched,
        exceptionsByKind,
        opened: fresh.length,
        reopened: reopenedList.length,
        cleared: gone.length,
      };
      await repo.insertRun(trx, { id: runId, forceId: force.id, fromOn: from, toOn: to, ranAt: at, actorId: actor.userId, summary });
      await audit({
        action: 'reconciliation.run',
        entityType: 'reconciliation_run',
        entityId: runId,
        summary: { ...summary, reopenedExceptions: reopenedList.slice(0, AUDITED_REOPENED) },
      });
      return summary;
    });
  // Two runs at once may both find the same new exception: the second to store it reads it back and stores again.
  const stored = await store().catch((err: unknown) => {
    if (isUniqueViolation(err, { name: 'reconciliation_exception_key_uq', column: 'reconciliation_exception.key' })) return store();
    throw err;
  });

  const list: FoundException[] = exceptions.map((e) => ({
    kind: e.kind as ExceptionKind,
    deviceSerial: e.deviceSerial,
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    reportIds: e.reportIds,
    reportRefs: e.reportRefs,
    officerId: e.officerId,
    officerCollar: e.officerCollar,
    detail: e.detail,
    key: e.key,
    evidence: e.evidence,
  }));
  list.sort(byKindThenTime);
  return { ...stored, runId, exceptions: list };
}

// ---- resolving ----------------------------------------------------------------------------------

export const RESOLUTION_OUTCOMES = [
  'function_test_unrecorded',
  'accidental_discharge_recorded',
  'report_filed_late',
  'report_corrected',
  'log_fault',
  'referred_to_professional_standards',
  'other',
] as const;
export type ResolutionOutcome = (typeof RESOLUTION_OUTCOMES)[number];

export const RESOLUTION_OUTCOME_LABELS: Record<ResolutionOutcome, string> = {
  function_test_unrecorded: 'A function or spark test that was not recorded',
  accidental_discharge_recorded: 'Accidental discharge, now recorded',
  report_filed_late: 'The report was filed late',
  report_corrected: 'The report has been corrected',
  log_fault: 'A fault in the device or its log',
  referred_to_professional_standards: 'Referred to professional standards',
  other: 'Other (say what in the reason)',
};

export const EXCEPTION_STATES = ['open', 'resolved', 'cleared'] as const;
export type ExceptionState = (typeof EXCEPTION_STATES)[number];

/** Who may resolve exceptions, and run a reconciliation from the page. */
export const REVIEW_PERMISSION: Permission = 'review:device';
const READ_PERMISSION: Permission = 'read:device';

/** The system (CLI, demo) sees everything; a person sees what their grants allow, or nothing. */
function scopeOf(actor: Actor, permission: Permission): Scope {
  if (actor.userId === null && actor.grants.length === 0) return { all: true };
  return scopeFor(actor.grants, permission) ?? { all: false, boroughIds: [] };
}

const inScope = (scope: Scope, boroughId: string | null) => scope.all || (boroughId !== null && scope.boroughIds.includes(boroughId));

export class StaleExceptionError extends WorkflowError {
  constructor() {
    super('This exception changed since you opened it: someone else resolved it, or a reconciliation found new evidence. Nothing you sent was saved. Check it as it is now, then try again.');
    this.name = 'StaleExceptionError';
  }
}

export interface ResolveInput {
  outcome?: unknown;
  reason?: unknown;
  revision?: unknown;
}

const REASON_MAX = 2000;

/** Resolves an open exception with an outcome and a reason, if nobody changed it since the person saw `revision`. */
export async function resolveException(svc: Services, actor: Actor, id: string, input: ResolveInput): Promise<repo.StoredException> {
  const errors: FieldError[] = [];
  const outcome = typeof input.outcome === 'string' ? input.outcome : '';
  if (!(RESOLUTION_OUTCOMES as readonly string[]).includes(outcome)) errors.push({ field: 'outcome', message: 'Select the outcome' });
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) errors.push({ field: 'reason', message: 'Enter the reason: what happened, and what was done about it' });
  else if (reason.length > REASON_MAX) errors.push({ field: 'reason', message: `The reason must be ${REASON_MAX} characters or fewer` });
  const revision = typeof input.revision === 'number' ? input.revision : typeof input.revision === 'string' && /^\d{1,9}$/.test(input.revision) ? Number(input.revision) : NaN;
  if (!Number.isInteger(revision)) errors.push({ field: 'revision', message: 'The form is missing the exception’s revision: open the exception again' });
  if (errors.length) throw new ValidationError(errors);
  const scope = scopeOf(actor, REVIEW_PERMISSION);
  const force = await getForce(svc);
  return change(svc, actor, async (trx, audit) => {
    const e = await repo.getException(trx, force.id, id);
    if (!e || !inScope(scope, e.boroughId)) throw new NotFoundError('Reconciliation exception', id);
    if (e.revision !== revision || e.state !== 'open') throw new StaleExceptionError();
    const at = svc.now().toISOString();
    if (!(await repo.resolveException(trx, id, revision, { outcome, reason, by: actor.userId, at }))) throw new StaleExceptionError();
    await audit({
      action: 'reconciliation_exception.resolve',
      entityType: 'reconciliation_exception',
      entityId: id,
      summary: { kind: e.kind, serial: e.deviceSerial, outcome, reason },
    });
    return { ...e, state: 'resolved', outcome, resolutionReason: reason, resolvedBy: actor.userId, resolvedAt: at, revision: revision + 1 };
  });
}

// ---- the list -----------------------------------------------------------------------------------

export interface ExceptionListFilter {
  borough?: string;
  kind?: ExceptionKind;
  state?: ExceptionState;
  page: Page;
}

export interface ExceptionRow extends repo.StoredException {
  boroughName: string | null;
}

export interface ExceptionList {
  rows: ExceptionRow[];
  total: number;
  page: number;
  pages: number;
  /** Counts in the state chosen, by borough (null: no borough) and kind; the boroughs the person may see. */
  counts: { boroughId: string | null; boroughName: string; byKind: Record<ExceptionKind, number>; total: number }[];
  byKind: Record<ExceptionKind, number>;
  boroughs: { id: string; name: string }[];
  lastRun: { fromOn: string; toOn: string; ranAt: string } | null;
}

/** A page of exceptions (newest first) with counts by borough and kind; a borough-scoped person sees only their boroughs. */
export async function listExceptions(svc: Services, actor: Actor, f: ExceptionListFilter): Promise<ExceptionList> {
  const scope = scopeOf(actor, READ_PERMISSION);
  const force = await getForce(svc);
  const db = svc.database.db;
  const allBoroughs = await org.listBoroughs(db, force.id);
  const boroughs = allBoroughs.filter((b) => inScope(scope, b.id)).map((b) => ({ id: b.id, name: b.name }));
  const names = new Map(allBoroughs.map((b) => [b.id, b.name]));
  const filter: repo.ExceptionFilter = { boroughIds: scope.all ? null : scope.boroughIds, boroughId: f.borough, kind: f.kind, state: f.state };
  const [list, counted, last] = await Promise.all([repo.listExceptions(db, force.id, filter, pageWindow(f.page)), repo.exceptionCounts(db, force.id, filter), repo.lastRun(db, force.id)]);
  const byBorough = new Map<string | null, Record<ExceptionKind, number>>();
  const byKind = emptyKinds();
  for (const c of counted) {
    if (!(EXCEPTION_KINDS as readonly string[]).includes(c.kind)) continue;
    const kind = c.kind as ExceptionKind;
    const row = byBorough.get(c.boroughId) ?? emptyKinds();
    row[kind] += c.n;
    byBorough.set(c.boroughId, row);
    byKind[kind] += c.n;
  }
  const counts = [...byBorough.entries()]
    .map(([boroughId, kinds]) => ({
      boroughId,
      boroughName: boroughId === null ? 'No borough' : (names.get(boroughId) ?? 'Unknown borough'),
      byKind: kinds,
      total: Object.values(kinds).reduce((a, b) => a + b, 0),
    }))
    .sort((a, b) => (a.boroughId === null ? 1 : b.boroughId === null ? -1 : a.boroughName.localeCompare(b.boroughName)));
  return {
    rows: list.rows.map((r) => ({ ...r, boroughName: r.boroughId ? (names.get(r.boroughId) ?? null) : null })),
    total: list.total,
    page: f.page.page,
    pages: Math.max(1, Math.ceil(list.total / f.page.pageSize)),
    counts,
    byKind,
    boroughs,
    lastRun: last ? { fromOn: last.fromOn, toOn: last.toOn, ranAt: last.ranAt } : null,
  };
}

// ---- the timeline -------------------------------------------------------------------------------

/** How far either side of an exception its timeline shows the device's events. */
export const TIMELINE_MARGIN_MS = 3 * 60 * 60 * 1000;
/** Events shown at most (a clock reset can leave thousands unplaced). */
const TIMELINE_LIMIT = 500;

export interface TimelineReport {
  kind: 'report' | 'imported';
  id: string;
  ref: string;
  occurredAt: string;
  levels: string[];
  totalCycles: number | null;
  cycleExtended: boolean | null;
  /** Named by the exception (the rest name the device near the time). */
  named: boolean;
}

export interface ExceptionTimeline {
  exception: ExceptionRow;
  device: { id: string; serial: string; modelName: string } | null;
  /** The device's events from a few hours before to a few hours after, in true time; unplaced events (a clock reset) last. */
  events: PlacedEvent[];
  eventsCut: boolean;
  from: string;
  to: string;
  reports: TimelineReport[];
  issues: repo.HolderSpan[];
  mayResolve: boolean;
}

/** An exception with the device's events in true time around it, the reports' answers and who held the device. */
export async function exceptionTimeline(svc: Services, actor: Actor, id: string): Promise<ExceptionTimeline> {
  const scope = scopeOf(actor, READ_PERMISSION);
  const force = await getForce(svc);
  const db = svc.database.db;
  const e = await repo.getException(db, force.id, id);
  if (!e || !inScope(scope, e.boroughId)) throw new NotFoundError('Reconciliation exception', id);
  const from = new Date(Date.parse(e.startsAt) - TIMELINE_MARGIN_MS).toISOString();
  const to = new Date(Date.parse(e.endsAt) + TIMELINE_MARGIN_MS).toISOString();
  const device = await repo.deviceBySerial(db, force.id, e.deviceSerial);
  const [log, issues, named, near] = await Promise.all([
    repo.deviceLog(db, force.id, e.deviceSerial),
    device ? repo.deviceIssueSpans(db, device.id) : [],
    repo.claimsByIds(db, force.id, e.reportIds),
    repo.claimsBetween(db, force.id, from, to),
  ]);
  const claims = [...named, ...near.filter((c) => c.serial === e.deviceSerial && !e.reportIds.includes(c.id))];
  const placed = reconcileDevice(
    { serial: e.deviceSerial, splitCycles: device ? isX26(device.modelName) : false, registered: device !== undefined, events: log, issues, reports: claims },
    { from, to },
  ).placed;
  const around = placed.filter((p) => p.at !== null && p.at >= from && p.at <= to).sort((a, b) => a.at!.localeCompare(b.at!) || a.sequence - b.sequence);
  const unplaced = e.kind === 'clock_reset' ? placed.filter((p) => p.at === null) : [];
  const events = [...around, ...unplaced];
  const boroughs = await org.listBoroughs(db, force.id);
  return {
    exception: { ...e, boroughName: boroughs.find((b) => b.id === e.boroughId)?.name ?? null },
    device: device ? { id: device.id, serial: device.serial, modelName: device.modelName } : null,
    events: events.slice(0, TIMELINE_LIMIT),
    eventsCut: events.length > TIMELINE_LIMIT,
    from,
    to,
    reports: claims
      .map((c) => ({
        kind: c.kind,
        id: c.id,
        ref: c.ref,
        occurredAt: c.occurredAt,
        levels: [...c.levels],
        totalCycles: c.totalCycles,
        cycleExtended: c.cycleExtended,
        named: e.reportIds.includes(c.id),
      }))
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)),
    issues: issues.filter((i) => i.issuedAt <= to && (i.returnedAt === null || i.returnedAt >= from)),
    mayResolve: e.state === 'open' && inScope(scopeOf(actor, REVIEW_PERMISSION), e.boroughId),
  };
}
