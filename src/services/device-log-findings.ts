import * as repo from '../db/repositories/reconciliation-findings.js';
import { londonDate } from '../domain/calendar.js';
import { exceptionKindLabel } from '../domain/devices/log-findings.js';
import { confirmationText } from '../domain/devices/reconcile.js';
import type { Scope } from '../domain/permissions.js';
import type { Services } from './context.js';
import { getForce } from './organisation.js';

/*
 * What the reconciliation of device logs with reports (issue 13) found, for the pages that are
 * not the reconciliation's own: the report page (what the log confirms, and the exceptions a
 * supervisor sees before approving), the borough commander's home page (unreported discharges)
 * and the release (how many discharges a device's log confirmed).
 */

export interface ReportFinding {
  id: string;
  kind: string;
  label: string;
  state: string;
  deviceSerial: string;
  detail: string;
  href: string;
}

export interface ReportLogFindings {
  /** `device log: 2 cycles, 5.0 s and 7.1 s; 14:02 true time`, one per confirming episode. */
  confirmations: { deviceSerial: string; text: string }[];
  /** The exceptions naming the report that are still open or were resolved. */
  exceptions: ReportFinding[];
}

const findingOf = (r: repo.FindingRow): ReportFinding => ({
  id: r.id,
  kind: r.kind,
  label: exceptionKindLabel(r.kind),
  state: r.state,
  deviceSerial: r.deviceSerial,
  detail: r.detail,
  href: `/devices/reconciliation/${r.id}`,
});

/** What the device logs say about a report (Cedar's or an imported row's id), whose incident was at `occurredAt`. The caller has checked the reader may see the report. */
export async function reportLogFindings(svc: Services, reportId: string, occurredAt?: string | null): Promise<ReportLogFindings> {
  const onDay = occurredAt ? londonDate(occurredAt) : undefined;
  const force = await getForce(svc);
  const [matches, exceptions] = await Promise.all([repo.matchesOfReport(svc.database.db, force.id, reportId), repo.exceptionsOfReport(svc.database.db, force.id, reportId)]);
  return {
    confirmations: matches.map((m) => ({
      deviceSerial: m.deviceSerial,
      text: `device log: ${confirmationText({ startsAt: m.episodeStartsAt, arcs: m.arcs, widenS: m.widenS, cycles: m.cycles.map((lengthS) => ({ lengthS })) }, onDay)}`,
    })),
    exceptions: exceptions.map(findingOf),
  };
}

/** Open discharges and arcs no report accounts for, in the reader's boroughs (the force's for a force-wide reader): the newest `limit`, and how many. */
export async function unreportedUses(svc: Services, scope: Scope, limit = 10): Promise<{ findings: (ReportFinding & { startsAt: string; officerCollar: string | null })[]; total: number }> {
  const force = await getForce(svc);
  const { rows, total } = await repo.openUnreported(svc.database.db, force.id, scope.all ? null : scope.boroughIds, limit);
  return { findings: rows.map((r) => ({ ...findingOf(r), startsAt: r.startsAt, officerCollar: r.officerCollar })), total };
}

/** How many discharges with incidents on London days `from`..`to` (both included) there are, and how many a device's log confirmed. A count only: nothing identifying. */
export async function dischargesConfirmedByLogs(svc: Services, from: string, to: string): Promise<{ discharges: number; confirmed: number }> {
  const force = await getForce(svc);
  return repo.dischargesConfirmed(svc.database.db, force.id, from, to);
}
