/**
 * When a device's event log is due to be downloaded (issue 13). Pure.
 *
 * - Every 12 months: a device whose log has not been downloaded within 12 months is overdue,
 *   counted from its last download, or, when it has never been downloaded, from the day it
 *   went into service (or was registered, when that day is not known).
 * - After a discharge: a report with a discharge that names the device, whose incident was more
 *   than 7 days ago, makes the device overdue until a download after the incident.
 */

export const DOWNLOAD_EVERY_MONTHS = 12;
export const DOWNLOAD_WITHIN_DAYS_OF_DISCHARGE = 7;

const DAY_MS = 86_400_000;

export type OverdueReason =
  | {
      kind: 'interval';
      /** The last download, or null when never downloaded. */
      lastDownloadAt: string | null;
      /** What the 12 months count from: the last download, the day in service or the registration. */
      countedFrom: string;
      dueAt: string;
    }
  | {
      kind: 'discharge';
      occurredAt: string;
      /** The report's incident reference, or the imported file and line. */
      ref: string;
      dueAt: string;
    };

/** An instant 12 calendar months (UTC) after `from` (29 February goes to 1 March). */
export function monthsAfter(from: string, months: number): string {
  const t = new Date(from.length === 10 ? `${from}T00:00:00Z` : from);
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + months, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), t.getUTCMilliseconds())).toISOString();
}

export interface DownloadState {
  lastDownloadAt: string | null;
  /** `YYYY-MM-DD`, or null when not known. */
  inServiceOn: string | null;
  registeredAt: string;
  /** Reports with a discharge naming the device: when their incident was, and how to refer to them. */
  discharges: readonly { occurredAt: string; ref: string }[];
}

/** Why the device's log is overdue for a download at `now`; empty when it is not. */
export function overdueReasons(d: DownloadState, now: Date): OverdueReason[] {
  const out: OverdueReason[] = [];
  const countedFrom = d.lastDownloadAt ?? (d.inServiceOn ? `${d.inServiceOn}T00:00:00.000Z` : d.registeredAt);
  const due = monthsAfter(countedFrom, DOWNLOAD_EVERY_MONTHS);
  if (Date.parse(due) <= now.getTime()) out.push({ kind: 'interval', lastDownloadAt: d.lastDownloadAt, countedFrom, dueAt: due });
  const last = d.lastDownloadAt === null ? null : Date.parse(d.lastDownloadAt);
  const waiting = d.discharges
    .filter((r) => {
      const at = Date.parse(r.occurredAt);
      return at + DOWNLOAD_WITHIN_DAYS_OF_DISCHARGE * DAY_MS < now.getTime() && (last === null || last < at);
    })
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  for (const r of waiting) out.push({ kind: 'discharge', occurredAt: r.occurredAt, ref: r.ref, dueAt: new Date(Date.parse(r.occurredAt) + DOWNLOAD_WITHIN_DAYS_OF_DISCHARGE * DAY_MS).toISOString() });
  return out;
}
