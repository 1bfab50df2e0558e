import { sql } from 'kysely';
import { HIGHEST_LEVELS, type HighestLevel } from '../../domain/report/levels.js';
import type { StoredContent } from '../../domain/report/content.js';
import type { ReferralOutcome, ReportEventKind, ReportStatus } from '../../domain/report/workflow.js';
import type { Executor } from '../database.js';
import { newId } from '../ids.js';
import type { ReportTable } from '../schema.js';
import { joinCodes, splitCodes, type Facts } from '../../domain/stats/facts.js';
import type { CountedReport } from '../../domain/stats/counting.js';
import type { DerivedColumns, Incident, ReferralOutcomeRecord, Report, ReportEvent, ReportSort, ReportVersion } from '../../domain/report/records.js';

/** What statistics count, stored beside the content (see migration 0006). */
export interface StoredFacts {
  occurredOn: string | null;
  facts: Facts;
}

export function factColumns(f: StoredFacts) {
  return {
    occurred_on: f.occurredOn,
    age_band: f.facts.ageBand,
    gender: f.facts.gender,
    ethnicity: f.facts.ethnicity,
    main_duty: f.facts.mainDuty,
    single_crewed: f.facts.singleCrewed === null ? null : f.facts.singleCrewed ? 1 : 0,
    reasons: joinCodes(f.facts.reasons),
    impact_factors: joinCodes(f.facts.impactFactors),
    locations: joinCodes(f.facts.locations),
    outcomes: joinCodes(f.facts.outcomes),
  };
}

type Row = ReportTable & { incident_reference: string | null };

const toReport = (r: Row): Report => ({
  id: r.id,
  forceId: r.force_id,
  incidentId: r.incident_id,
  incidentReference: r.incident_reference,
  officerId: r.officer_id,
  authorUserId: r.author_user_id,
  boroughId: r.borough_id,
  status: r.status as ReportStatus,
  content: JSON.parse(r.content) as StoredContent,
  version: Number(r.version),
  amendment: r.amendment ? (JSON.parse(r.amendment) as StoredContent) : null,
  revision: Number(r.revision),
  highestLevel: r.highest_level as HighestLevel | null,
  discharge: Number(r.discharge) === 1,
  cedUsed: Number(r.ced_used) === 1,
  serious: Number(r.serious) === 1,
  occurredAt: r.occurred_at,
  dueAt: r.due_at,
  submittedAt: r.submitted_at,
  reviewedAt: r.reviewed_at,
  signedOffAt: r.signed_off_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const selectReports = (db: Executor) => db.selectFrom('uof_report as r').leftJoin('incident as i', 'i.id', 'r.incident_id').selectAll('r').select('i.reference as incident_reference');

/**
 * One report. `lock` (PostgreSQL only: SQLite has one writer at a time) takes the row lock for
 * the rest of the transaction, so a write that depends on what it read waits for any other.
 */
export async function findReport(db: Executor, id: string, opts: { lock?: boolean } = {}): Promise<Report | undefined> {
  const row = await selectReports(db)
    .where('r.id', '=', id)
    .$if(opts.lock === true, (q) => q.forUpdate('r'))
    .executeTakeFirst();
  return row && toReport(row as Row);
}

/** Whether an update changed a row: a compare-and-set on the revision that matched nothing did not. */
const changed = (r: { numUpdatedRows: bigint }) => r.numUpdatedRows > 0n;

/**
 * A new draft. With `derived`, its content was saved as it was created (the API's create): the
 * row is written once, whole, at revision 1, as a start followed by a save would leave it.
 */
export async function insertReport(
  db: Executor,
  r: { forceId: string; officerId: string; authorUserId: string; boroughId: string | null; content: StoredContent; derived?: DerivedColumns & StoredFacts },
  at: string,
): Promise<string> {
  const id = newId();
  const d = r.derived;
  await db
    .insertInto('uof_report')
    .values({
      id,
      force_id: r.forceId,
      incident_id: d ? d.incidentId : null,
      officer_id: r.officerId,
      author_user_id: r.authorUserId,
      borough_id: d ? d.boroughId : r.boroughId,
      status: 'draft',
      content: JSON.stringify(r.content),
      version: 0,
      amendment: null,
      revision: d ? 1 : 0,
      highest_level: d ? d.highestLevel : null,
      discharge: d?.discharge ? 1 : 0,
      ced_used: d?.cedUsed ? 1 : 0,
      serious: d?.serious ? 1 : 0,
      occurred_at: d ? d.occurredAt : null,
      due_at: d ? d.dueAt : null,
      ...(d ? factColumns(d) : {}),
      submitted_at: null,
      reviewed_at: null,
      signed_off_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

/**
 * Writes a report's content (and what is derived from it) if the row is still at `revision`,
 * bumping it; false when it is not (someone else wrote first) and nothing was written.
 */
export async function updateReportContent(
  db: Executor,
  id: string,
  revision: number,
  content: StoredContent,
  d: DerivedColumns & StoredFacts,
  extra: { status?: ReportStatus; version?: number; submittedAt?: string; amendment?: null } = {},
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('uof_report')
    .set({
      content: JSON.stringify(content),
      incident_id: d.incidentId,
      borough_id: d.boroughId,
      highest_level: d.highestLevel,
      discharge: d.discharge ? 1 : 0,
      ced_used: d.cedUsed ? 1 : 0,
      serious: d.serious ? 1 : 0,
      occurred_at: d.occurredAt,
      due_at: d.dueAt,
      ...factColumns(d),
      updated_at: at,
      revision: revision + 1,
      ...(extra.status ? { status: extra.status } : {}),
      ...(extra.version !== undefined ? { version: extra.version } : {}),
      ...(extra.submittedAt ? { submitted_at: extra.submittedAt } : {}),
      ...(extra.amendment === null ? { amendment: null } : {}),
    })
    .where('id', '=', id)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return changed(r);
}

/** The amendment in progress, if the row is still at `revision` (see updateReportContent). */
export async function setAmendment(db: Executor, id: string, revision: number, amendment: StoredContent | null, at: string): Promise<boolean> {
  const r = await db
    .updateTable('uof_report')
    .set({ amendment: amendment ? JSON.stringify(amendment) : null, updated_at: at, revision: revision + 1 })
    .where('id', '=', id)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return changed(r);
}

/** A new status, if the row is still at `revision` (see updateReportContent). */
export async function setReportStatus(db: Executor, id: string, revision: number, status: ReportStatus, stamp: { reviewedAt?: string; signedOffAt?: string }, at: string): Promise<boolean> {
  const r = await db
    .updateTable('uof_report')
    .set({
      status,
      updated_at: at,
      revision: revision + 1,
      ...(stamp.reviewedAt ? { reviewed_at: stamp.reviewedAt } : {}),
      ...(stamp.signedOffAt ? { signed_off_at: stamp.signedOffAt } : {}),
    })
    .where('id', '=', id)
    .where('revision', '=', revision)
    .executeTakeFirst();
  return changed(r);
}

export async function insertVersion(
  db: Executor,
  v: { reportId: string; version: number; content: StoredContent; reason: string | null; userId: string | null; label: string },
  at: string,
): Promise<void> {
  await db
    .insertInto('uof_report_version')
    .values({ id: newId(), report_id: v.reportId, version: v.version, content: JSON.stringify(v.content), reason: v.reason, created_by_user_id: v.userId, created_by_label: v.label, created_at: at })
    .execute();
}

export async function listVersions(db: Executor, reportId: string): Promise<ReportVersion[]> {
  const rows = await db.selectFrom('uof_report_version').selectAll().where('report_id', '=', reportId).orderBy('version').execute();
  return rows.map((r) => ({ version: Number(r.version), content: JSON.parse(r.content) as StoredContent, reason: r.reason, createdByLabel: r.created_by_label, createdAt: r.created_at }));
}

export async function insertEvent(
  db: Executor,
  e: { reportId: string; kind: ReportEventKind; actorUserId: string | null; actorLabel: string; comment?: string | null; version?: number | null; changes?: Record<string, unknown> | null },
  at: string,
): Promise<void> {
  await db
    .insertInto('uof_report_event')
    .values({
      id: newId(),
      report_id: e.reportId,
      kind: e.kind,
      actor_user_id: e.actorUserId,
      actor_label: e.actorLabel,
      at,
      comment: e.comment ?? null,
      version: e.version ?? null,
      changes: e.changes ? JSON.stringify(e.changes) : null,
    })
    .execute();
}

export async function listEvents(db: Executor, reportId: string): Promise<ReportEvent[]> {
  const rows = await db.selectFrom('uof_report_event').selectAll().where('report_id', '=', reportId).orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    reportId: r.report_id,
    kind: r.kind as ReportEventKind,
    actorUserId: r.actor_user_id,
    actorLabel: r.actor_label,
    at: r.at,
    comment: r.comment,
    version: r.version === null ? null : Number(r.version),
    changes: r.changes ? (JSON.parse(r.changes) as ReportEvent['changes']) : null,
  }));
}

// Incidents -------------------------------------------------------------------------

export async function findIncident(db: Executor, id: string): Promise<Incident | undefined> {
  const r = await db.selectFrom('incident').selectAll().where('id', '=', id).executeTakeFirst();
  return r && { id: r.id, forceId: r.force_id, reference: r.reference, boroughId: r.borough_id, occurredAt: r.occurred_at };
}

/** The incident with this reference, created on first use. */
export async function incidentFor(db: Executor, forceId: string, reference: string, first: { boroughId: string | null; occurredAt: string | null }, at: string): Promise<Incident> {
  const found = await db.selectFrom('incident').selectAll().where('force_id', '=', forceId).where('reference', '=', reference).executeTakeFirst();
  if (found) return { id: found.id, forceId: found.force_id, reference: found.reference, boroughId: found.borough_id, occurredAt: found.occurred_at };
  // Two reports naming a new incident at once: the second insert waits for the first and does
  // nothing (no duplicate-key error), then both read the one incident.
  const row = { id: newId(), force_id: forceId, reference, borough_id: first.boroughId, occurred_at: first.occurredAt, created_at: at };
  await db
    .insertInto('incident')
    .values(row)
    .onConflict((oc) => oc.columns(['force_id', 'reference']).doNothing())
    .execute();
  const stored = await db.selectFrom('incident').selectAll().where('force_id', '=', forceId).where('reference', '=', reference).executeTakeFirstOrThrow();
  return { id: stored.id, forceId: stored.force_id, reference: stored.reference, boroughId: stored.borough_id, occurredAt: stored.occurred_at };
}

/** The reports on an incident (never discarded drafts), oldest first. */
export async function reportsForIncident(db: Executor, incidentId: string): Promise<Report[]> {
  const rows = await selectReports(db).where('r.incident_id', '=', incidentId).where('r.status', '!=', 'discarded').orderBy('r.created_at').orderBy('r.id').execute();
  return rows.map((r) => toReport(r as Row));
}

/**
 * Keeps an incident's stored time and borough derived from the current content of its
 * reports, not from the first ever saved: the earliest time among its recorded reports (its
 * drafts while none is recorded yet) and that report's borough. Call in the transaction that
 * changed a report on it, with `lock` on PostgreSQL. An incident left with no reports keeps what it had.
 */
export async function refreshIncident(db: Executor, incidentId: string, opts: { lock?: boolean } = {}): Promise<void> {
  // Locked first (PostgreSQL), so a change to another report on the incident waits and then reads this one's.
  if (opts.lock) await db.selectFrom('incident').select('id').where('id', '=', incidentId).forUpdate().execute();
  const rows = await db
    .selectFrom('uof_report')
    .select(['status', 'occurred_at', 'borough_id'])
    .where('incident_id', '=', incidentId)
    .where('status', '!=', 'discarded')
    .where('occurred_at', 'is not', null)
    .execute();
  const recorded = rows.filter((r) => r.status !== 'draft');
  const from = recorded.length ? recorded : rows;
  if (from.length === 0) return;
  const first = from.reduce((a, b) => (b.occurred_at! < a.occurred_at! ? b : a));
  await db.updateTable('incident').set({ occurred_at: first.occurred_at, borough_id: first.borough_id }).where('id', '=', incidentId).execute();
}

// Referral outcomes ----------------------------------------------------------------------

export async function insertReferralOutcome(db: Executor, o: Omit<ReferralOutcomeRecord, 'id'>): Promise<string> {
  const id = newId();
  await db
    .insertInto('uof_report_referral_outcome')
    .values({
      id,
      report_id: o.reportId,
      outcome: o.outcome,
      iopc_reference: o.iopcReference,
      reason: o.reason,
      report_version: o.reportVersion,
      recorded_by_user_id: o.recordedByUserId,
      recorded_by_label: o.recordedByLabel,
      recorded_at: o.recordedAt,
    })
    .execute();
  return id;
}

/** The outcomes recorded on these reports, oldest first. */
export async function listReferralOutcomes(db: Executor, reportIds: string[]): Promise<ReferralOutcomeRecord[]> {
  if (reportIds.length === 0) return [];
  const rows = await db.selectFrom('uof_report_referral_outcome').selectAll().where('report_id', 'in', reportIds).orderBy('recorded_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    reportId: r.report_id,
    outcome: r.outcome as ReferralOutcome,
    iopcReference: r.iopc_reference,
    reason: r.reason,
    reportVersion: Number(r.report_version),
    recordedByUserId: r.recorded_by_user_id,
    recordedByLabel: r.recorded_by_label,
    recordedAt: r.recorded_at,
  }));
}

// Lists -----------------------------------------------------------------------------

export interface ReportFilter {
  forceId: string;
  statuses?: ReportStatus[];
  /** Reports in these boroughs only; undefined for all. */
  boroughIds?: string[];
  authorUserId?: string;
  officerId?: string;
  highestLevel?: HighestLevel;
  discharge?: boolean;
  /** Drafts past their due time. */
  overdueAt?: string;
  /** Drafts due before this time and not yet overdue. */
  dueBefore?: { now: string; until: string };
  occurredFrom?: string;
  occurredTo?: string;
}

function filtered(db: Executor, f: ReportFilter) {
  // A discarded draft is in no list.
  let q = db.selectFrom('uof_report as r').leftJoin('incident as i', 'i.id', 'r.incident_id').where('r.force_id', '=', f.forceId).where('r.status', '!=', 'discarded');
  if (f.statuses) q = q.where('r.status', 'in', f.statuses.length ? f.statuses : ['\u0000none']);
  if (f.boroughIds) q = q.where('r.borough_id', 'in', f.boroughIds.length ? f.boroughIds : ['\u0000none']);
  if (f.authorUserId) q = q.where('r.author_user_id', '=', f.authorUserId);
  if (f.officerId) q = q.where('r.officer_id', '=', f.officerId);
  if (f.highestLevel) q = q.where('r.highest_level', '=', f.highestLevel);
  if (f.discharge !== undefined) q = q.where('r.discharge', '=', f.discharge ? 1 : 0);
  if (f.overdueAt) q = q.where('r.status', '=', 'draft').where('r.due_at', '<', f.overdueAt);
  if (f.dueBefore) q = q.where('r.status', '=', 'draft').where('r.due_at', '>=', f.dueBefore.now).where('r.due_at', '<=', f.dueBefore.until);
  if (f.occurredFrom) q = q.where('r.occurred_at', '>=', f.occurredFrom);
  if (f.occurredTo) q = q.where('r.occurred_at', '<', f.occurredTo);
  return q;
}

/**
 * Severity order for sorting by level, most severe first: the domain's ranking (HIGHEST_LEVELS)
 * written as a CASE of literals (`when 'angle_drive_stun' then 1 … else 9`); no level sorts last.
 */
const LEVEL_RANK = sql<number>`case r.highest_level ${sql.join(
  HIGHEST_LEVELS.map((level, i) => sql`when ${sql.lit(level)} then ${sql.lit(i + 1)}`),
  sql` `,
)} else ${sql.lit(HIGHEST_LEVELS.length + 1)} end`;

export async function listReports(db: Executor, f: ReportFilter, page: { offset: number; limit: number; sort?: ReportSort; descending?: boolean }): Promise<{ reports: Report[]; total: number }> {
  const total = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const dir = page.descending ? 'desc' : 'asc';
  let q = filtered(db, f).selectAll('r').select('i.reference as incident_reference');
  switch (page.sort ?? 'updated') {
    case 'occurred':
      q = q.orderBy('r.occurred_at', dir);
      break;
    case 'due':
      q = q.orderBy('r.due_at', dir);
      break;
    case 'submitted':
      q = q.orderBy('r.submitted_at', dir);
      break;
    case 'level':
      q = q.orderBy(LEVEL_RANK, dir);
      break;
    default:
      q = q.orderBy('r.updated_at', page.descending === false ? 'asc' : 'desc');
  }
  const rows = await q.orderBy('r.id').offset(page.offset).limit(page.limit).execute();
  return { reports: rows.map((r) => toReport(r as Row)), total: Number(total.n) };
}

/** Reports that are not records of use: drafts, and drafts discarded by their author. Never counted. */
export const NOT_RECORDED = ['draft', 'discarded'] as const satisfies readonly ReportStatus[];

const FACT_SELECT = ['occurred_on', 'borough_id', 'highest_level', 'age_band', 'gender', 'ethnicity', 'main_duty', 'single_crewed', 'reasons', 'impact_factors', 'locations', 'outcomes'] as const;

type FactRow = { [K in (typeof FACT_SELECT)[number]]: K extends 'single_crewed' ? number | null : string | null } & { borough_name: string | null };

function toCounted(r: FactRow): CountedReport {
  return {
    occurredOn: r.occurred_on!,
    boroughId: r.borough_id,
    boroughName: r.borough_name,
    highestLevel: r.highest_level as HighestLevel | null,
    ageBand: r.age_band,
    gender: r.gender,
    ethnicity: r.ethnicity,
    mainDuty: r.main_duty,
    singleCrewed: r.single_crewed === null ? null : Number(r.single_crewed) === 1,
    reasons: splitCodes(r.reasons),
    impactFactors: splitCodes(r.impact_factors),
    locations: splitCodes(r.locations),
    outcomes: splitCodes(r.outcomes),
  };
}

/**
 * Every use recorded in Cedar (submitted or later; never drafts, nor discarded ones) and every imported
 * historical row whose incident falls on the London dates given, a page at a time, from
 * the narrow statistics columns only.
 */
export async function* countedReports(db: Executor, forceId: string, from: string, toExclusive: string, pageSize = 20_000): AsyncGenerator<CountedReport[]> {
  const columns = FACT_SELECT.map((c) => `r.${c}` as const);
  type Cursor = { on: string; id: string } | null;
  // Keyset paging on (occurred_on, id), which the statistics index holds in order.
  const pages = {
    uof_report: (after: Cursor) =>
      db
        .selectFrom('uof_report as r')
        .leftJoin('borough as b', 'b.id', 'r.borough_id')
        .select(['r.id', ...columns, 'b.name as borough_name'])
        .where('r.force_id', '=', forceId)
        .where('r.occurred_on', '>=', from)
        .where('r.occurred_on', '<', toExclusive)
        .where('r.status', 'not in', NOT_RECORDED)
        .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('r.occurred_on', 'r.id'), '>', eb.tuple(after!.on, after!.id))))
        .orderBy('r.occurred_on')
        .orderBy('r.id')
        .limit(pageSize)
        .execute(),
    imported_report: (after: Cursor) =>
      db
        .selectFrom('imported_report as r')
        .leftJoin('borough as b', 'b.id', 'r.borough_id')
        .select(['r.id', ...columns, sql<string | null>`coalesce(b.name, r.borough_name)`.as('borough_name')])
        .where('r.force_id', '=', forceId)
        .where('r.occurred_on', '>=', from)
        .where('r.occurred_on', '<', toExclusive)
        .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('r.occurred_on', 'r.id'), '>', eb.tuple(after!.on, after!.id))))
        .orderBy('r.occurred_on')
        .orderBy('r.id')
        .limit(pageSize)
        .execute(),
  };
  for (const page of Object.values(pages)) {
    let after: Cursor = null;
    for (;;) {
      const rows = (await page(after)) as (FactRow & { id: string })[];
      if (rows.length === 0) break;
      const last = rows[rows.length - 1]!;
      after = { on: last.occurred_on!, id: last.id };
      yield rows.map(toCounted);
      if (rows.length < pageSize) break;
    }
  }
}

/** Uses in a period by highest level, counted by the database: the Home Office return's figures. */
export async function levelCounts(db: Executor, forceId: string, from: string, toExclusive: string): Promise<Partial<Record<HighestLevel, number>>> {
  const out: Partial<Record<HighestLevel, number>> = {};
  const add = (rows: { highest_level: string | null; n: number | string | bigint }[]) => {
    for (const r of rows) if (r.highest_level) out[r.highest_level as HighestLevel] = (out[r.highest_level as HighestLevel] ?? 0) + Number(r.n);
  };
  add(
    await db
      .selectFrom('uof_report')
      .select(['highest_level', (eb) => eb.fn.countAll<number>().as('n')])
      .where('force_id', '=', forceId)
      .where('occurred_on', '>=', from)
      .where('occurred_on', '<', toExclusive)
      .where('status', 'not in', NOT_RECORDED)
      .where('highest_level', 'is not', null)
      .groupBy('highest_level')
      .execute(),
  );
  add(
    await db
      .selectFrom('imported_report')
      .select(['highest_level', (eb) => eb.fn.countAll<number>().as('n')])
      .where('force_id', '=', forceId)
      .where('occurred_on', '>=', from)
      .where('occurred_on', '<', toExclusive)
      .where('highest_level', 'is not', null)
      .groupBy('highest_level')
      .execute(),
  );
  return out;
}

/**
 * The columns every breakdown counts by, in the order of migration 0012's indexes (an
 * imported row's borough name after its borough id), so both databases group the index's
 * rows as they come, without sorting them.
 */
const GROUPED = ['occurred_on', 'highest_level', 'borough_id', 'age_band', 'gender', 'ethnicity', 'main_duty', 'single_crewed', 'reasons', 'impact_factors', 'locations', 'outcomes'] as const;
const GROUPED_IMPORTED = [
  'occurred_on',
  'highest_level',
  'borough_id',
  'borough_name',
  'age_band',
  'gender',
  'ethnicity',
  'main_duty',
  'single_crewed',
  'reasons',
  'impact_factors',
  'locations',
  'outcomes',
] as const;

/**
 * Uses in a period counted by the database, grouped by every column the breakdowns count by
 * at once: one read of the period's uses (recorded, never drafts, and imported) from the
 * indexes that hold only reports with a level of use, giving a row per distinct combination
 * with its weight, for the pure breakdowns to lay out by any dimension.
 */
export async function groupedReports(db: Executor, forceId: string, from: string, toExclusive: string): Promise<CountedReport[]> {
  // The same few lists of codes come back many times: split each once.
  const split = new Map<string, string[] | null>();
  const codes = (text: string | null): string[] | null => {
    if (text === null) return null;
    let v = split.get(text);
    if (v === undefined) split.set(text, (v = splitCodes(text)));
    return v;
  };
  const out: CountedReport[] = [];
  for (const table of ['uof_report', 'imported_report'] as const) {
    const imported = table === 'imported_report';
    const keys = (imported ? GROUPED_IMPORTED : GROUPED).map((c) => sql.ref(`r.${c}`));
    const rows = await sql<FactRow & { n: number | string | bigint }>`
      select ${sql.join(GROUPED.map((c) => sql.ref(`g.${c}`)))}, ${imported ? sql`coalesce(b.name, g.borough_name)` : sql`b.name`} as borough_name, g.n
      from (
        select ${sql.join(keys)}, count(*) as n
        from ${sql.table(table)} as r
        where r.force_id = ${forceId} and r.occurred_on >= ${from} and r.occurred_on < ${toExclusive}
          and r.highest_level is not null ${imported ? sql`` : sql`and r.status not in (${sql.join(NOT_RECORDED)})`}
        group by ${sql.join(keys)}
      ) as g left join borough as b on b.id = g.borough_id`.execute(db);
    for (const r of rows.rows) {
      out.push({
        occurredOn: r.occurred_on!,
        boroughId: r.borough_id,
        boroughName: r.borough_name,
        highestLevel: r.highest_level as HighestLevel,
        ageBand: r.age_band,
        gender: r.gender,
        ethnicity: r.ethnicity,
        mainDuty: r.main_duty,
        singleCrewed: r.single_crewed === null ? null : Number(r.single_crewed) === 1,
        reasons: codes(r.reasons),
        impactFactors: codes(r.impact_factors),
        locations: codes(r.locations),
        outcomes: codes(r.outcomes),
        weight: Number(r.n),
      });
    }
  }
  return out;
}

/**
 * The force's recorded reports (never drafts, nor discarded ones) that occurred in
 * [from, toExclusive) (London days), a page at a time in id order: each one's content as
 * stored and its borough's name.
 */
export async function* recordedContentPages(
  db: Executor,
  forceId: string,
  from: string,
  toExclusive: string,
  pageSize = 2000,
): AsyncGenerator<{ content: StoredContent; boroughName: string | null }[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('uof_report as r')
      .leftJoin('borough as b', 'b.id', 'r.borough_id')
      .select(['r.id', 'r.content', 'b.name as borough_name'])
      .where('r.force_id', '=', forceId)
      .where('r.status', 'not in', NOT_RECORDED)
      .where('r.occurred_on', '>=', from)
      .where('r.occurred_on', '<', toExclusive)
      .where('r.id', '>', after)
      .orderBy('r.id')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => ({ content: JSON.parse(r.content) as StoredContent, boroughName: r.borough_name }));
  }
}
