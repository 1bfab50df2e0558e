import type { AuditHead } from '../../domain/audit.js';
import type { ReleaseSnapshot, Revisions } from '../../domain/stats/release.js';
import type { DatabaseKind, Executor } from '../database.js';
import type { ReleaseTable } from '../schema.js';

export interface Release {
  id: string;
  forceId: string;
  number: number | null;
  status: 'draft' | 'published';
  month: string;
  financialYear: string;
  snapshot: ReleaseSnapshot;
  revisions: Revisions | null;
  rowsCount: number;
  preparedBy: string;
  preparedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  /** The published release this one corrects, and why (shown to the public on both). */
  supersedes: { number: number; reason: string } | null;
  /** The published release that corrects this one, and why. */
  supersededBy: { number: number; reason: string } | null;
  /** The audit chain's newest entry when this release was published (null for a draft, or a release published before heads were). */
  auditHead: AuditHead | null;
}

export interface ReleaseFileInfo {
  name: string;
  contentType: string;
  bytes: number;
  sha256: string;
}

const COLUMNS = [
  'r.id',
  'r.force_id',
  'r.number',
  'r.status',
  'r.month',
  'r.financial_year',
  'r.snapshot',
  'r.revisions',
  'r.rows_count',
  'r.prepared_by_label',
  'r.prepared_at',
  'r.published_by_label',
  'r.published_at',
  'r.supersedes',
  'r.supersede_reason',
  'r.audit_head_seq',
  'r.audit_head_hash',
] as const;

type Row = Pick<
  ReleaseTable,
  | 'id'
  | 'force_id'
  | 'number'
  | 'status'
  | 'month'
  | 'financial_year'
  | 'snapshot'
  | 'revisions'
  | 'rows_count'
  | 'prepared_by_label'
  | 'prepared_at'
  | 'published_by_label'
  | 'published_at'
  | 'supersedes'
  | 'supersede_reason'
  | 'audit_head_seq'
  | 'audit_head_hash'
> & {
  superseded_by: number | null;
  superseded_reason: string | null;
};

const toRelease = (r: Row): Release => ({
  id: r.id,
  forceId: r.force_id,
  number: r.number === null ? null : Number(r.number),
  status: r.status,
  month: r.month,
  financialYear: r.financial_year,
  snapshot: JSON.parse(r.snapshot) as ReleaseSnapshot,
  revisions: r.revisions ? (JSON.parse(r.revisions) as Revisions) : null,
  rowsCount: Number(r.rows_count),
  preparedBy: r.prepared_by_label,
  preparedAt: r.prepared_at,
  publishedBy: r.published_by_label,
  publishedAt: r.published_at,
  supersedes: r.supersedes === null ? null : { number: Number(r.supersedes), reason: r.supersede_reason ?? '' },
  supersededBy: r.superseded_by === null || r.superseded_by === undefined ? null : { number: Number(r.superseded_by), reason: r.superseded_reason ?? '' },
  auditHead: r.audit_head_seq === null || r.audit_head_hash === null ? null : { seq: Number(r.audit_head_seq), hash: r.audit_head_hash },
});

/** Releases with the published release that supersedes each, if any (a published release is never changed: this is looked up). */
function releases(db: Executor) {
  return db
    .selectFrom('release as r')
    .leftJoin('release as s', (j) => j.onRef('s.force_id', '=', 'r.force_id').onRef('s.supersedes', '=', 'r.number').on('s.status', '=', 'published'))
    .select([...COLUMNS, 's.number as superseded_by', 's.supersede_reason as superseded_reason']);
}

/**
 * Serialises the force's release changes (prepare, supersede, publish, discard) until the
 * transaction ends: each reads the draft and the published releases and writes on what it
 * read. On PostgreSQL the force's row is locked; SQLite has one writer at a time.
 */
export async function lockReleases(trx: Executor, kind: DatabaseKind, forceId: string): Promise<void> {
  if (kind === 'postgres') await trx.selectFrom('force').select('id').where('id', '=', forceId).forUpdate().execute();
}

export async function insertRelease(db: Executor, r: ReleaseTable): Promise<void> {
  await db.insertInto('release').values(r).execute();
}

export async function insertReleaseFile(db: Executor, f: { releaseId: string; name: string; contentType: string; bytes: number; sha256: string; gzip: Buffer }): Promise<void> {
  await db
    .insertInto('release_file')
    .values({ release_id: f.releaseId, name: f.name, content_type: f.contentType, bytes: f.bytes, sha256: f.sha256, gzip_base64: f.gzip.toString('base64') })
    .execute();
}

/** Removes the force's draft (there is at most one), with its files. Returns the removed draft's id. */
export async function deleteDraft(db: Executor, forceId: string): Promise<string | null> {
  const draft = await db.selectFrom('release').select('id').where('force_id', '=', forceId).where('status', '=', 'draft').executeTakeFirst();
  if (!draft) return null;
  await db.deleteFrom('release_file').where('release_id', '=', draft.id).execute();
  await db.deleteFrom('release').where('id', '=', draft.id).where('status', '=', 'draft').execute();
  return draft.id;
}

export async function findRelease(db: Executor, id: string): Promise<Release | undefined> {
  const row = await releases(db).where('r.id', '=', id).executeTakeFirst();
  return row && toRelease(row);
}

export async function findDraft(db: Executor, forceId: string): Promise<Release | undefined> {
  const row = await releases(db).where('r.force_id', '=', forceId).where('r.status', '=', 'draft').executeTakeFirst();
  return row && toRelease(row);
}

export async function findPublished(db: Executor, forceId: string, number: number): Promise<Release | undefined> {
  const row = await releases(db).where('r.force_id', '=', forceId).where('r.status', '=', 'published').where('r.number', '=', number).executeTakeFirst();
  return row && toRelease(row);
}

/** The newest published release's number, or null (the next release takes the one after). */
export async function latestPublishedNumber(db: Executor, forceId: string): Promise<number | null> {
  const row = await db.selectFrom('release').select('number').where('force_id', '=', forceId).where('status', '=', 'published').orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row?.number === null || row?.number === undefined ? null : Number(row.number);
}

/**
 * The current release, what the public sees first: of the published releases no release
 * supersedes, the one with the latest figures (its month), the newest of those.
 */
export async function findCurrent(db: Executor, forceId: string): Promise<Release | undefined> {
  const row = await releases(db)
    .where('r.force_id', '=', forceId)
    .where('r.status', '=', 'published')
    .where('s.number', 'is', null)
    .orderBy('r.month', 'desc')
    .orderBy('r.number', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toRelease(row);
}

/** The newest published release of the figures to the end of `month`, if any. */
export async function latestPublishedForMonth(db: Executor, forceId: string, month: string): Promise<Release | undefined> {
  const row = await releases(db).where('r.force_id', '=', forceId).where('r.status', '=', 'published').where('r.month', '=', month).orderBy('r.number', 'desc').limit(1).executeTakeFirst();
  return row && toRelease(row);
}

/** Published releases, newest first. */
export async function listPublished(db: Executor, forceId: string): Promise<Release[]> {
  const rows = await releases(db).where('r.force_id', '=', forceId).where('r.status', '=', 'published').orderBy('r.number', 'desc').execute();
  return rows.map(toRelease);
}

/**
 * Publishes a draft as the given number. Only a draft changes: returns false when the
 * release was already published (or removed) in the meantime.
 */
export async function publishDraft(db: Executor, id: string, p: { number: number; revisions: Revisions; userId: string | null; label: string; at: string; auditHead: AuditHead }): Promise<boolean> {
  const r = await db
    .updateTable('release')
    .set({
      status: 'published',
      number: p.number,
      revisions: JSON.stringify(p.revisions),
      published_by_user_id: p.userId,
      published_by_label: p.label,
      published_at: p.at,
      audit_head_seq: p.auditHead.seq,
      audit_head_hash: p.auditHead.hash,
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The audit heads published with releases, oldest first (Cedar serves one force). */
export async function publishedAuditHeads(db: Executor): Promise<{ number: number; seq: number; hash: string }[]> {
  const rows = await db
    .selectFrom('release')
    .select(['number', 'audit_head_seq', 'audit_head_hash'])
    .where('status', '=', 'published')
    .where('audit_head_seq', 'is not', null)
    .orderBy('number')
    .execute();
  return rows.map((r) => ({ number: Number(r.number), seq: Number(r.audit_head_seq), hash: r.audit_head_hash! }));
}

/** The London day of the force's earliest recorded use of force (submitted report or imported row), or null when there is none. */
export async function firstUseDay(db: Executor, forceId: string): Promise<string | null> {
  const r = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('uof_report')
        .select((e) => e.fn.min('occurred_on').as('d'))
        .where('force_id', '=', forceId)
        .where('status', '!=', 'draft')
        .as('recorded'),
      eb
        .selectFrom('imported_report')
        .select((e) => e.fn.min('occurred_on').as('d'))
        .where('force_id', '=', forceId)
        .as('imported'),
    ])
    .executeTakeFirstOrThrow();
  const days = [r.recorded, r.imported].filter((d): d is string => typeof d === 'string' && d.length > 0);
  return days.length ? days.sort()[0]! : null;
}

export async function listReleaseFiles(db: Executor, releaseId: string): Promise<ReleaseFileInfo[]> {
  const rows = await db.selectFrom('release_file').select(['name', 'content_type', 'bytes', 'sha256']).where('release_id', '=', releaseId).orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, contentType: r.content_type, bytes: Number(r.bytes), sha256: r.sha256 }));
}

export async function findReleaseFile(db: Executor, releaseId: string, name: string): Promise<(ReleaseFileInfo & { gzip: Buffer }) | undefined> {
  const r = await db.selectFrom('release_file').selectAll().where('release_id', '=', releaseId).where('name', '=', name).executeTakeFirst();
  return r && { name: r.name, contentType: r.content_type, bytes: Number(r.bytes), sha256: r.sha256, gzip: Buffer.from(r.gzip_base64, 'base64') };
}

/**
 * What the public pages are cached by, in one read: the current release's number (see
 * findCurrent), the newest published number (a new release changes the list and may
 * supersede an older one) and a stamp of the loaded Home Office tables (Cedar serves one force).
 */
export async function publicPageStamp(db: Executor): Promise<{ latest: number | null; newest: number | null; tables: string }> {
  const r = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('release as r')
        .select('r.number')
        .where('r.status', '=', 'published')
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('release as s').select('s.id').whereRef('s.force_id', '=', 'r.force_id').whereRef('s.supersedes', '=', 'r.number').where('s.status', '=', 'published'))),
        )
        .orderBy('r.month', 'desc')
        .orderBy('r.number', 'desc')
        .limit(1)
        .as('latest'),
      eb
        .selectFrom('release')
        .select((e) => e.fn.max('number').as('n'))
        .where('status', '=', 'published')
        .as('newest'),
      eb
        .selectFrom('home_office_table')
        .select((e) => e.fn.countAll().as('n'))
        .as('tables'),
      eb
        .selectFrom('home_office_table')
        .select((e) => e.fn.max('loaded_at').as('at'))
        .as('loaded'),
    ])
    .executeTakeFirstOrThrow();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { latest: num(r.latest), newest: num(r.newest), tables: `${Number(r.tables ?? 0)}@${r.loaded ?? ''}` };
}
