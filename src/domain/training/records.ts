import type { CourseKind, Restriction, TrainingRecord, TrainingResult } from './authority.js';

/*
 * Training as Cedar keeps it (issue 5): a session with its places taken, an officer's training
 * record and a suspension or withdrawal of their authority, with who recorded each and when.
 */

export type SessionStatus = 'scheduled' | 'completed' | 'cancelled';

export interface TrainingSession {
  id: string;
  forceId: string;
  courseTypeId: string;
  courseName: string;
  courseKind: CourseKind;
  qualifiesFor: string[];
  startsOn: string;
  endsOn: string;
  location: string;
  boroughId: string | null;
  capacity: number;
  status: SessionStatus;
  enrolled: number;
  waiting: number;
}

export interface StoredTrainingRecord extends TrainingRecord {
  id: string;
  officerId: string;
  courseTypeId: string;
  courseName: string;
  reason: string | null;
  sessionId: string | null;
  source: 'session' | 'import';
  createdBy: string;
  createdAt: string;
  /** When a session's result was corrected: the result before, why, by whom and when. */
  correction: { previousResult: TrainingResult; reason: string; by: string; at: string } | null;
}

export interface StoredRestriction extends Restriction {
  id: string;
  officerId: string;
  createdBy: string;
  createdAt: string;
  endedBy: string | null;
  endedAt: string | null;
  endReason: string | null;
}
