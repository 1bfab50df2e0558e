import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
import type { Transaction } from 'kysely';
import type { Executor } from '../db/database.js';
import { newId } from '../db/ids.js';
import * as auditRepo from '../db/repositories/audit.js';
import * as officersRepo from '../db/repositories/officers.js';
import * as org from '../db/repositories/organisation.js';
import * as repo from '../db/repositories/releases.js';
import type { Release, ReleaseFileInfo } from '../db/repositories/releases.js';
import { metRowProblems, publicMetRow, snapshotProblems, textProblems, type DisclosureProblem, type Sensitive } from '../domain/disclosure.js';
import { MET_COLUMNS } from '../domain/met/layout.js';
import { writeMetCsv } from '../domain/met/write.js';
import { NotFoundError, ValidationError, WorkflowError } from '../domain/errors.js';
import type { AuditHead } from '../domain/audit.js';
import { neutraliseRow } from '../domain/csv.js';
import { CED_COUNT_FIELDS, type Breakdown, type CedCounts } from '../domain/stats/counting.js';
import { HOME_OFFICE_CED_COLUMNS } from '../domain/stats/home-office.js';
import { lastDayOfMonth, londonDate, monthLabel } from '../domain/calendar.js';
import { PeriodError } from '../domain/stats/periods.js';
import { checkReleaseMonth, checkSupersedeReason, releasableMonths, RELEASE_DIMENSIONS, revisionsBetween, sameFigures, type ReleaseSnapshot, type Revisions } from '../domain/stats/release.js';
import type { DB } from '../db/schema.js';
import { change, type Actor, type Services } from './context.js';
import { cedarMetRows, importedMetRows } from './met-import.js';
import { dischargesConfirmedByLogs } from './device-log-findings.js';
import { getForce } from './organisation.js';
import { statistics } from './statistics.js';

export type { Release, ReleaseFileInfo } from '../db/repositories/releases.js';

/** A release would disclose something it must not: nothing is stored, and each problem says where. */
export class DisclosureError extends Error {
  constructor(readonly problems: DisclosureProblem[]) {
    super(
      `The release would disclose what must not be published (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems
        .slice(0, 5)
        .map((p) => `${p.where} ${p.message}`)
        .join('; ')}${problems.length > 5 ? '; …' : ''}`,
    );
  }
}

/**
 * The draft has the same figures as a release already published for the same month: it is
 * published only when the person publishing confirms they mean it.
 */
export class IdenticalFiguresError extends WorkflowError {
  constructor(
    readonly sameAs: number,
    label: string,
  ) {
    super(
      `This release has the same figures as release ${sameAs} (${label}): nothing has changed since it was published. Publish it only if you mean to publish the same figures again, and confirm that you do.`,
    );
  }
}

/** The files of a release, as the public downloads them. */
export const RELEASE_FILES = {
  'aggregates.csv': { contentType: 'text/csv; charset=utf-8', title: 'Figures (CSV)', description: 'Every table on the page: uses by month and by each breakdown, in the Home Office columns.' },
  'aggregates.json': {
    contentType: 'application/json; charset=utf-8',
    title: 'Figures (JSON)',
    description: 'The same figures with the release’s details and revisions, the release it supersedes (if it corrects one) and the audit log’s head when it was published, for reuse.',
  },
  'uses.csv': {
    contentType: 'text/csv; charset=utf-8',
    title: 'Uses of force (CSV, Met layout)',
    description: 'One row per officer’s use of force on one subject, in the Met’s published 271-column layout; times to the hour, device serials and free text withheld.',
  },
  'uses.json': { contentType: 'application/json; charset=utf-8', title: 'Uses of force (JSON, Met layout)', description: 'The same rows as JSON: the column names once, then each row’s values.' },
} as const;
export type ReleaseFileName = keyof typeof RELEASE_FILES;
export const isReleaseFileName = (name: string): name is ReleaseFileName => Object.hasOwn(RELEASE_FILES, name);

const ROW_PROBLEMS_SHOWN = 50;

/** The figures of a financial year to the end of a month, counted now. */
async function snapshotFor(svc: Services, period: ReturnType<typeof checkReleaseMonth>, today: string): Promise<ReleaseSnapshot> {
  const force = await getForce(svc);
  const [stats, deviceLogs] = await Promise.all([
    statistics(svc, { from: period.from, to: lastDayOfMonth(period.month) }, ['period', ...RELEASE_DIMENSIONS], { unit: 'month' }),
    dischargesConfirmedByLogs(svc, period.from, lastDayOfMonth(period.month)),
  ]);
  const [byMonth, ...rest] = stats.breakdowns as [Breakdown, ...Breakdown[]];
  return {
    format: 1,
    force: { name: force.name, region: force.homeOfficeRegion },
    month: period.month,
    financialYear: period.financialYear,
    from: period.from,
    to: lastDayOfMonth(period.month),
    label: period.label,
    countedOn: today,
    totals: stats.counts,
    months: byMonth.rows.map((r) => ({ key: r.key!, label: r.label, counts: r.counts })),
    // Boroughs are published by name; no internal identifiers leave Cedar.
    breakdowns: rest.map((b) => ({ dimension: b.dimension, title: b.title, multiValued: b.multiValued, rows: b.rows.map((r) => ({ label: r.label, counts: r.counts })), total: b.total })),
    deviceLogs,
  };
}

/** What must never appear in public output: the force's officers (names, collar numbers). */
async function sensitiveValues(svc: Services, forceId: string): Promise<Sensitive[]> {
  const officers = await officersRepo.listOfficerNames(svc.database.db, forceId);
  return officers.flatMap((o) => [
    { kind: 'officer name' as const, value: `${o.firstName} ${o.lastName}` },
    { kind: 'collar number' as const, value: o.collarNumber },
  ]);
}

const gzip = (text: string) => ({ bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex'), gzip: gzipSync(text) });

/** Text written in pieces into a gzip file held in memory (compressed), with its size and SHA-256. */
class GzipText {
  private readonly zip = createGzip();
  private readonly hash = createHash('sha256');
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  constructor() {
    this.zip.on('data', (c: Buffer) => this.chunks.push(c));
  }
  async write(text: string): Promise<void> {
    if (!text) return;
    this.hash.update(text);
    this.bytes += Buffer.byteLength(text);
    if (!this.zip.write(text)) await once(this.zip, 'drain');
  }
  discard(): void {
    this.zip.destroy();
  }
  async end(): Promise<{ bytes: number; sha256: string; gzip: Buffer }> {
    const done = once(this.zip, 'end');
    this.zip.end();
    await done;
    return { bytes: this.bytes, sha256: this.hash.digest('hex'), gzip: Buffer.concat(this.chunks) };
  }
}

/** The months that may be released now: from the force's first recorded use of force to the last month that has ended (null when nothing is recorded). */
export async function releaseMonths(svc: Services, now = svc.now()): Promise<{ first: string; last: string } | null> {
  const force = await getForce(svc);
  return releasableMonths(londonDate(now), await repo.firstUseDay(svc.database.db, force.id));
}

type ReleasePeriod = ReturnType<typeof checkReleaseMonth>;

/**
 * The figures and the uses files of a release, counted now, checked for anything that must
 * not be published. Throws `DisclosureError` (nothing stored) on any problem.
 */
async function buildRelease(svc: Services, period: ReleasePeriod, today: string) {
  const force = await getForce(svc);
  const boroughs = new Set((await org.listBoroughs(svc.database.db, force.id)).map((b) => b.name));
  const snapshot = await snapshotFor(svc, period, today);

  const problems: DisclosureProblem[] = [...snapshotProblems(snapshot, boroughs), ...textProblems(JSON.stringify(snapshot), await sensitiveValues(svc, force.id), 'aggregates')];
  // The rows are written a page at a time into the compressed files: a year of a large
  // force's uses of force is never held in memory at once.
  const csv = new GzipText();
  const json = new GzipText();
  await csv.write(writeMetCsv([]));
  await json.write(`{"columns":${JSON.stringify(MET_COLUMNS)},"rows":[`);
  let rowCount = 0;
  const to = period.toExclusive;
  for (const source of [cedarMetRows(svc, period.from, to), importedMetRows(svc, period.from, to)]) {
    for await (const page of source) {
      const rows = page.map(publicMetRow);
      for (const row of rows) {
        rowCount++;
        if (problems.length < ROW_PROBLEMS_SHOWN) problems.push(...metRowProblems(row, rowCount + 1, boroughs));
      }
      if (problems.length || rows.length === 0) continue; // after a problem, only count: nothing will be stored
      await csv.write(writeMetCsv(rows, { header: false }));
      await json.write((rowCount > rows.length ? ',' : '') + rows.map((r) => JSON.stringify(r)).join(','));
    }
  }
  if (problems.length) {
    csv.discard();
    json.discard();
    throw new DisclosureError(problems);
  }
  await json.write(']}');
  const [usesCsv, usesJson] = await Promise.all([csv.end(), json.end()]);
  return { force, snapshot, rowCount, usesCsv, usesJson };
}

/** Stores a built release as the force's draft, in the caller's transaction (the releases locked). */
async function storeDraft(
  trx: Transaction<DB>,
  actor: Actor,
  built: Awaited<ReturnType<typeof buildRelease>>,
  period: ReleasePeriod,
  preparedAt: Date,
  supersedes: { number: number; reason: string } | null,
): Promise<string> {
  const id = newId();
  await repo.insertRelease(trx, {
    id,
    force_id: built.force.id,
    number: null,
    status: 'draft',
    month: period.month,
    financial_year: period.financialYear,
    snapshot: JSON.stringify(built.snapshot),
    revisions: null,
    rows_count: built.rowCount,
    prepared_by_user_id: actor.userId,
    prepared_by_label: actor.label,
    prepared_at: preparedAt.toISOString(),
    published_by_user_id: null,
    published_by_label: null,
    published_at: null,
    supersedes: supersedes?.number ?? null,
    supersede_reason: supersedes?.reason ?? null,
    audit_head_seq: null,
    audit_head_hash: null,
  });
  await repo.insertReleaseFile(trx, { releaseId: id, name: 'uses.csv', contentType: RELEASE_FILES['uses.csv'].contentType, ...built.usesCsv });
  await repo.insertReleaseFile(trx, { releaseId: id, name: 'uses.json', contentType: RELEASE_FILES['uses.json'].contentType, ...built.usesJson });
  return id;
}

/** A draft that corrects a published release is not replaced by another prepare: it is published or discarded first. */
function refuseToReplaceCorrection(draft: Release | undefined): void {
  if (draft?.supersedes) {
    throw new WorkflowError(
      `The draft release prepared by ${draft.preparedBy} corrects release ${draft.supersedes.number} (“${draft.supersedes.reason}”): publish it or discard it before preparing another release.`,
    );
  }
}

/**
 * Prepares the release of figures to the end of `month` (`YYYY-MM`, from the month of the
 * force's first recorded use of force to the last month that has ended): the financial year
 * to date counted now, and the period's rows in the Met layout made fit to publish. The
 * disclosure check runs on everything; on any problem nothing is stored. Replaces the
 * force's previous draft, if any (not a draft correcting a published release). One
 * transaction with its audit entry.
 */
export async function prepareRelease(svc: Services, actor: Actor, month: string, now = svc.now()): Promise<Release> {
  const today = londonDate(now);
  const force = await getForce(svc);
  const period = checkReleaseMonth(month, today, await repo.firstUseDay(svc.database.db, force.id));
  const built = await buildRelease(svc, period, today);
  return change(svc, actor, async (trx, audit) => {
    await repo.lockReleases(trx, svc.database.kind, force.id);
    refuseToReplaceCorrection(await repo.findDraft(trx, force.id));
    const replaced = await repo.deleteDraft(trx, force.id);
    const id = await storeDraft(trx, actor, built, period, now, null);
    await audit({ action: 'release.prepare', entityType: 'release', entityId: id, summary: { month: period.month, uses: built.snapshot.totals.total, rows: built.rowCount, replacedDraft: replaced } });
    return (await repo.findRelease(trx, id))!;
  });
}

/**
 * Prepares the draft of a release that corrects published release `number`: the same month's
 * figures counted again, with the reason, which the public reads on both releases once it is
 * published. The release it corrects is never changed or deleted. Refused when that release
 * is already superseded, or another correction of it is being prepared (two analysts at
 * once: the second is told). Replaces an ordinary draft, if any.
 */
export async function supersedeRelease(svc: Services, actor: Actor, number: number, reason: string, now = svc.now()): Promise<Release> {
  const today = londonDate(now);
  const force = await getForce(svc);
  let why: string;
  try {
    why = checkSupersedeReason(reason);
  } catch (err) {
    throw new ValidationError([{ field: 'reason', message: (err as Error).message }]);
  }
  const named = textProblems(why, await sensitiveValues(svc, force.id), 'reason');
  if (named.length) throw new ValidationError([{ field: 'reason', message: `The reason is published: write it without naming anyone. It ${named[0]!.message}` }]);
  const target = await publishedRelease(svc, number);
  if (target.supersededBy)
    throw new WorkflowError(
      `Release ${number} was already corrected by release ${target.supersededBy.number} (“${target.supersededBy.reason}”). Correct release ${target.supersededBy.number} instead.`,
    );
  const period = checkReleaseMonth(target.month, today, await repo.firstUseDay(svc.database.db, force.id));
  const built = await buildRelease(svc, period, today);
  return change(svc, actor, async (trx, audit) => {
    await repo.lockReleases(trx, svc.database.kind, force.id);
    const again = await repo.findPublished(trx, force.id, number);
    if (again?.supersededBy) throw new WorkflowError(`Release ${number} was corrected by release ${again.supersededBy.number} a moment ago (“${again.supersededBy.reason}”).`);
    const draft = await repo.findDraft(trx, force.id);
    if (draft?.supersedes?.number === number) {
      throw new WorkflowError(`Release ${number} is already being corrected: ${draft.preparedBy} prepared a draft superseding it (“${draft.supersedes.reason}”). Publish or discard that draft first.`);
    }
    refuseToReplaceCorrection(draft);
    const replaced = await repo.deleteDraft(trx, force.id);
    const id = await storeDraft(trx, actor, built, period, now, { number, reason: why });
    await audit({
      action: 'release.supersede',
      entityType: 'release',
      entityId: id,
      summary: { supersedes: number, reason: why, month: period.month, uses: built.snapshot.totals.total, rows: built.rowCount, replacedDraft: replaced },
    });
    return (await repo.findRelease(trx, id))!;
  });
}

/** The force's draft release, if one is being prepared. */
export async function draftRelease(svc: Services): Promise<Release | undefined> {
  const force = await getForce(svc);
  return repo.findDraft(svc.database.db, force.id);
}

/** Any release by id (drafts included): for the analysts' preview. */
export async function getRelease(svc: Services, id: string): Promise<Release> {
  const force = await getForce(svc);
  const r = await repo.findRelease(svc.database.db, id);
  if (!r || r.forceId !== force.id) throw new NotFoundError('Release', id);
  return r;
}

/** The aggregates files, written once when a release is published (they carry its number, revisions and the audit log's head). */
function aggregateFiles(release: Release, number: number, publishedAt: string, revisions: Revisions, auditHead: AuditHead) {
  const s = release.snapshot;
  const fields = CED_COUNT_FIELDS;
  const header = ['Table', 'Category', ...HOME_OFFICE_CED_COLUMNS.slice(2)];
  const line = (table: string, category: string, c: CedCounts) => [table, category, ...fields.map((f) => String(c[f]))];
  const csv = stringify(
    [
      header,
      line('All uses', s.label, s.totals),
      ...s.months.map((m) => line('Month', m.label, m.counts)),
      ...s.breakdowns.flatMap((b) => [...b.rows.map((r) => line(b.title, r.label, r.counts)), line(b.title, b.multiValued ? 'All uses (each counted once)' : 'All uses', b.total)]),
    ].map(neutraliseRow),
    { record_delimiter: 'unix' },
  );
  const json = JSON.stringify(
    {
      release: { number, month: s.month, financialYear: s.financialYear, from: s.from, to: s.to, label: s.label, publishedOn: londonDate(publishedAt), force: s.force },
      ...(release.supersedes ? { supersedes: release.supersedes } : {}),
      revisions,
      counting: 'One count per report in which a Taser (CED) was used, at its highest level of use; "Not stated" when use is recorded without a level.',
      totals: s.totals,
      months: s.months,
      breakdowns: s.breakdowns,
      auditHead: {
        ...auditHead,
        meaning:
          'The force’s audit log when this release was published: its length (seq, the newest entry) and that entry’s keyed hash. Anyone can later ask the force to show the log still reaches this entry with this hash.',
      },
    },
    null,
    1,
  );
  return { csv, json };
}

/** What publishing a draft would do: its number, what it revises and against which release, and whether its figures repeat a release already published. */
export interface PublicationPreview {
  release: Release;
  number: number;
  previous: { number: number; label: string; month: string } | null;
  revisions: Revisions;
  /** A published release for the same month with the same figures: publishing needs a confirmation. */
  identicalTo: number | null;
  /** The draft can no longer be published (its month is outside the months that may be released), and why. */
  problem: string | null;
}

async function previewIn(db: Executor, force: { id: string }, draft: Release, now: Date): Promise<Omit<PublicationPreview, 'release'>> {
  let problem: string | null = null;
  try {
    checkReleaseMonth(draft.month, londonDate(now), await repo.firstUseDay(db, force.id));
  } catch (err) {
    if (!(err instanceof PeriodError)) throw err;
    problem = `This draft is for ${monthLabel(draft.month)}, which cannot be released: ${err.message}. Discard it and prepare another.`;
  }
  const previous = draft.supersedes ? await repo.findPublished(db, force.id, draft.supersedes.number) : await repo.findCurrent(db, force.id);
  const sameMonth = await repo.latestPublishedForMonth(db, force.id, draft.month);
  return {
    number: ((await repo.latestPublishedNumber(db, force.id)) ?? 0) + 1,
    previous: previous ? { number: previous.number!, label: previous.snapshot.label, month: previous.month } : null,
    revisions: revisionsBetween(previous ? { number: previous.number!, snapshot: previous.snapshot } : null, draft.snapshot),
    identicalTo: sameMonth && sameFigures(sameMonth.snapshot, draft.snapshot) ? sameMonth.number : null,
    problem,
  };
}

/** The "Are you sure?" before publishing: the draft's headline figures and what publishing it would state. */
export async function publicationPreview(svc: Services, id: string, now = svc.now()): Promise<PublicationPreview> {
  const force = await getForce(svc);
  const draft = await getRelease(svc, id);
  if (draft.status !== 'draft') throw new WorkflowError(`Release ${draft.number} (${monthLabel(draft.month)}) is already published: a published release never changes.`);
  return { release: draft, ...(await previewIn(svc.database.db, force, draft, now)) };
}

/**
 * Publishes the draft: it takes the next number, states its revisions against the previous
 * release (the one it corrects, for a correction; else the current release), records the
 * audit log's head, and never changes again. A release already published cannot be published
 * again (two analysts publishing at once: the second is told, nothing changes). A draft with
 * the same figures as a release published for the same month needs `confirmIdentical`.
 */
export async function publishRelease(svc: Services, actor: Actor, id: string, opts: { confirmIdentical?: boolean } = {}, now = svc.now()): Promise<Release> {
  const force = await getForce(svc);
  const boroughs = new Set((await org.listBoroughs(svc.database.db, force.id)).map((b) => b.name));
  return change(svc, actor, async (trx, audit) => {
    await repo.lockReleases(trx, svc.database.kind, force.id);
    const draft = await repo.findRelease(trx, id);
    if (!draft || draft.forceId !== force.id) {
      throw new WorkflowError('That draft release is no longer there: it was replaced or discarded, perhaps by someone else a moment ago. Look at the releases again.');
    }
    if (draft.status !== 'draft')
      throw new WorkflowError(`Release ${draft.number} (${monthLabel(draft.month)}) is already published: a published release never changes. Prepare a new release instead.`);
    const problems = snapshotProblems(draft.snapshot, boroughs);
    if (problems.length) throw new DisclosureError(problems);
    const preview = await previewIn(trx, force, draft, now);
    if (preview.problem) throw new WorkflowError(preview.problem);
    if (draft.supersedes) {
      const target = await repo.findPublished(trx, force.id, draft.supersedes.number);
      if (!target) throw new WorkflowError(`Release ${draft.supersedes.number}, which this draft corrects, is not published.`);
      if (target.supersededBy) throw new WorkflowError(`Release ${target.number} was already corrected by release ${target.supersededBy.number}.`);
    }
    if (preview.identicalTo !== null && !opts.confirmIdentical) throw new IdenticalFiguresError(preview.identicalTo, draft.snapshot.label);
    const { number, revisions } = preview;
    const at = now.toISOString();
    const head = await auditRepo.auditHead(trx);
    const auditHead = head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: '0'.repeat(64) };
    if (!(await repo.publishDraft(trx, id, { number, revisions, userId: actor.userId, label: actor.label, at, auditHead }))) {
      throw new WorkflowError('This release was published or discarded by someone else a moment ago. Look at the releases again.');
    }
    const files = aggregateFiles(draft, number, at, revisions, auditHead);
    await repo.insertReleaseFile(trx, { releaseId: id, name: 'aggregates.csv', contentType: RELEASE_FILES['aggregates.csv'].contentType, ...gzip(files.csv) });
    await repo.insertReleaseFile(trx, { releaseId: id, name: 'aggregates.json', contentType: RELEASE_FILES['aggregates.json'].contentType, ...gzip(files.json) });
    await audit({
      action: 'release.publish',
      entityType: 'release',
      entityId: id,
      summary: {
        number,
        month: draft.month,
        uses: draft.snapshot.totals.total,
        revisions: revisions.months.map((m) => m.text),
        auditHead,
        ...(draft.supersedes ? { supersedes: draft.supersedes.number, reason: draft.supersedes.reason } : {}),
        ...(preview.identicalTo !== null ? { sameFiguresAs: preview.identicalTo, confirmed: true } : {}),
      },
    });
    return (await repo.findRelease(trx, id))!;
  });
}

/** Throws the draft away (a published release cannot be). */
export async function discardDraft(svc: Services, actor: Actor): Promise<void> {
  const force = await getForce(svc);
  await change(svc, actor, async (trx, audit) => {
    await repo.lockReleases(trx, svc.database.kind, force.id);
    const removed = await repo.deleteDraft(trx, force.id);
    if (!removed) throw new WorkflowError('There is no draft release to discard.');
    await audit({ action: 'release.discard', entityType: 'release', entityId: removed, summary: {} });
  });
}

/** Published releases, newest first. */
export async function publishedReleases(svc: Services): Promise<Release[]> {
  const force = await getForce(svc);
  return repo.listPublished(svc.database.db, force.id);
}

/** The current release (what /transparency shows): the latest figures no release corrects. */
export async function currentRelease(svc: Services): Promise<Release | undefined> {
  const force = await getForce(svc);
  return repo.findCurrent(svc.database.db, force.id);
}

/** The current release's number, the newest published number and a stamp of the loaded national tables: one read, for caching the public pages. */
export function publicPageStamp(svc: Services): Promise<{ latest: number | null; newest: number | null; tables: string }> {
  return repo.publicPageStamp(svc.database.db);
}

/** A published release by its number. Drafts are never found here. */
export async function publishedRelease(svc: Services, number: number): Promise<Release> {
  const force = await getForce(svc);
  const r = Number.isSafeInteger(number) && number > 0 ? await repo.findPublished(svc.database.db, force.id, number) : undefined;
  if (!r) throw new NotFoundError('Published release', String(number));
  return r;
}

export async function releaseFiles(svc: Services, releaseId: string): Promise<ReleaseFileInfo[]> {
  return repo.listReleaseFiles(svc.database.db, releaseId);
}

/** A release's file: gzip bytes as stored (to send to clients that accept gzip) and a way to get the text. */
export async function releaseFile(svc: Services, releaseId: string, name: string): Promise<ReleaseFileInfo & { gzip: Buffer; text(): string }> {
  const f = isReleaseFileName(name) ? await repo.findReleaseFile(svc.database.db, releaseId, name) : undefined;
  if (!f) throw new NotFoundError('Release file', name);
  return { ...f, text: () => gunzipSync(f.gzip).toString('utf8') };
}
