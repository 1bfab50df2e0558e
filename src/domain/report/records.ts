import type { StoredContent } from './content.js';
import type { HighestLevel } from './levels.js';
import type { ReferralOutcome, ReportEventKind, ReportStatus } from './workflow.js';

/*
 * A use-of-force report as Cedar keeps it (issue 4): the report with the columns derived from
 * its content, its events and versions, its incident and referral outcomes, and the orders a
 * list of reports can be sorted in. The repository reads and writes these; pages and the API
 * show them.
 */

export interface Incident {
  id: string;
  forceId: string;
  reference: string;
  boroughId: string | null;
  occurredAt: string | null;
}

/** The columns derived from the content, kept beside it for lists and counts. */
export interface DerivedColumns {
  incidentId: string | null;
  boroughId: string | null;
  highestLevel: HighestLevel | null;
  discharge: boolean;
  cedUsed: boolean;
  serious: boolean;
  occurredAt: string | null;
  dueAt: string | null;
}

export interface Report extends DerivedColumns {
  id: string;
  forceId: string;
  incidentReference: string | null;
  officerId: string;
  authorUserId: string;
  status: ReportStatus;
  content: StoredContent;
  version: number;
  /** Sections changed in an amendment not yet submitted. */
  amendment: StoredContent | null;
  /** Bumped by every write: a write names the revision it read and fails if it moved on. */
  revision: number;
  submittedAt: string | null;
  reviewedAt: string | null;
  signedOffAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ReportEvent {
  id: string;
  reportId: string;
  kind: ReportEventKind;
  actorUserId: string | null;
  actorLabel: string;
  at: string;
  comment: string | null;
  version: number | null;
  changes: Record<string, { from: unknown; to: unknown }> | null;
}

export interface ReportVersion {
  version: number;
  content: StoredContent;
  reason: string | null;
  createdByLabel: string;
  createdAt: string;
}

export interface ReferralOutcomeRecord {
  id: string;
  reportId: string;
  outcome: ReferralOutcome;
  iopcReference: string | null;
  reason: string;
  reportVersion: number;
  recordedByUserId: string | null;
  recordedByLabel: string;
  recordedAt: string;
}

export const REPORT_SORTS = ['occurred', 'due', 'submitted', 'level', 'updated'] as const;

export type ReportSort = (typeof REPORT_SORTS)[number];
