import type { Executor } from '../database.js';
import type { NewMatch } from './reconciliation.js';
import { NOT_RECORDED } from './reports.js';

/*
 * What the reconciliation of device logs with reports (issue 13) found, as the rest of Cedar
 * reads it: the episode that confirms a report, the exceptions a report is part of, the
 * unreported discharges a borough commander sees, and the count of discharges confirmed by a
 * device's log that a release publishes. The reconciliation itself writes these tables.
 */

/** A stored match as the report page reads it: the episode of the device's log that confirms the report. */
export type ReportMatchRow = Omit<NewMatch, 'reportKind' | 'reportId'>;

/** The episodes of device logs that confirm a report (Cedar's or an imported row), oldest first. */
export async function matchesOfReport(db: Executor, forceId: string, reportId: string): Promise<ReportMatchRow[]> {
  const rows = await db
    .selectFrom('reconciliation_match')
    .select(['device_serial', 'episode_starts_at', 'episode_ends_at', 'triggers', 'arcs', 'widen_s', 'cycles'])
    .where('force_id', '=', forceId)
    .where('report_id', '=', reportId)
    .orderBy('episode_starts_at')
    .execute();
  return rows.map((r) => ({
    deviceSerial: r.device_serial,
    episodeStartsAt: r.episode_starts_at,
    episodeEndsAt: r.episode_ends_at,
    triggers: Number(r.triggers),
    arcs: Number(r.arcs),
    widenS: Number(r.widen_s),
    cycles: (JSON.parse(r.cycles) as unknown[]).map(Number),
  }));
}

export interface FindingRow {
  id: string;
  kind: string;
  state: string;
  deviceSerial: string;
  startsAt: string;
  endsAt: string;
  detail: string;
  officerCollar: string | null;
  boroughId: string | null;
}

const findingColumns = ['id', 'kind', 'state', 'device_serial', 'starts_at', 'ends_at', 'detail', 'officer_collar', 'borough_id'] as const;
const toFinding = (r: {
  id: string;
  kind: string;
  state: string;
  device_serial: string;
  starts_at: string;
  ends_at: string;
  detail: string;
  officer_collar: string | null;
  borough_id: string | null;
}): FindingRow => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  deviceSerial: r.device_serial,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  detail: r.detail,
  officerCollar: r.officer_collar,
  boroughId: r.borough_id,
});

/** The exceptions (open or resolved, not cleared) that name a report, newest first. */
export async function exceptionsOfReport(db: Executor, forceId: string, reportId: string): Promise<FindingRow[]> {
  const rows = await db
    .selectFrom('reconciliation_exception')
    .select(findingColumns)
    .where('force_id', '=', forceId)
    .where('state', '!=', 'cleared')
    .where('report_ids', 'like', `%${JSON.stringify(reportId)}%`)
    .orderBy('starts_at', 'desc')
    .execute();
  return rows.map(toFinding);
}

/** Open discharges and arcs that no report accounts for, in some boroughs (or the whole force when null), newest first; and how many there are. */
export async function openUnreported(db: Executor, forceId: string, boroughIds: readonly string[] | null, limit: number): Promise<{ rows: FindingRow[]; total: number }> {
  let q = db.selectFrom('reconciliation_exception').where('force_id', '=', forceId).where('state', '=', 'open').where('kind', 'in', ['discharge_without_report', 'arc_without_report']);
  if (boroughIds?.length === 0) return { rows: [], total: 0 };
  if (boroughIds) q = q.where('borough_id', 'in', boroughIds);
  const [rows, count] = await Promise.all([
    q.select(findingColumns).orderBy('starts_at', 'desc').limit(limit).execute(),
    q.select((e) => e.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toFinding), total: Number(count.n) };
}

/**
 * The discharges recorded with incidents on London days `from`..`to` (both included), Cedar's
 * reports that are records of use and imported rows alike, and how many of them an episode of
 * a device's log confirms.
 */
export async function dischargesConfirmed(db: Executor, forceId: string, from: string, to: string): Promise<{ discharges: number; confirmed: number }> {
  const cedar = await db
    .selectFrom('uof_report as r')
    .select((eb) => [
      eb.fn.countAll<string | number>().as('n'),
      eb.fn
        .count<string | number>('r.id')
        .filterWhere(eb.exists(eb.selectFrom('reconciliation_match as m').select('m.id').where('m.force_id', '=', forceId).whereRef('m.report_id', '=', 'r.id')))
        .as('confirmed'),
    ])
    .where('r.force_id', '=', forceId)
    .where('r.status', 'not in', NOT_RECORDED)
    .where('r.discharge', '=', 1)
    .where('r.occurred_on', '>=', from)
    .where('r.occurred_on', '<=', to)
    .executeTakeFirstOrThrow();
  const imported = await db
    .selectFrom('imported_report as r')
    .select((eb) => [
      eb.fn.countAll<string | number>().as('n'),
      eb.fn
        .count<string | number>('r.id')
        .filterWhere(eb.exists(eb.selectFrom('reconciliation_match as m').select('m.id').where('m.force_id', '=', forceId).whereRef('m.report_id', '=', 'r.id')))
        .as('confirmed'),
    ])
    .where('r.force_id', '=', forceId)
    .where('r.discharge', '=', 1)
    .where('r.occurred_on', '>=', from)
    .where('r.occurred_on', '<=', to)
    .executeTakeFirstOrThrow();
  return { discharges: Number(cedar.n) + Number(imported.n), confirmed: Number(cedar.confirmed) + Number(imported.confirmed) };
}
