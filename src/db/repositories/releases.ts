import type { ReleaseSnapshot, Revisions } from '../../domain/stats/release.js';
import type { Executor } from '../database.js';
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
}

export interface ReleaseFileInfo {
  name: string;
  contentType: string;
  bytes: number;
  sha256: string;
}

const COLUMNS = [
  'id',
  'force_id',
  'number',
  'status',
  'month',
  'financial_year',
  'snapshot',
  'revisions',
  'rows_count',
  'prepared_by_label',
  'prepared_at',
  'published_by_label',
  'published_at',
] as const;

type Row = Pick<ReleaseTable, (typeof COLUMNS)[number]>;

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
});

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
  const row = await db.selectFrom('release').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toRelease(row);
}

export async function findDraft(db: Executor, forceId: string): Promise<Release | undefined> {
  const row = await db.selectFrom('release').select(COLUMNS).where('force_id', '=', forceId).where('status', '=', 'draft').executeTakeFirst();
  return row && toRelease(row);
}

export async function findPublished(db: Executor, forceId: string, number: number): Promise<Release | undefined> {
  const row = await db.selectFrom('release').select(COLUMNS).where('force_id', '=', forceId).where('status', '=', 'published').where('number', '=', number).executeTakeFirst();
  return row && toRelease(row);
}

/** The newest published release's number, or null: one indexed read, for caching pages by it. */
export async function latestPublishedNumber(db: Executor, forceId: string): Promise<number | null> {
  const row = await db.selectFrom('release').select('number').where('force_id', '=', forceId).where('status', '=', 'published').orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row?.number === null || row?.number === undefined ? null : Number(row.number);
}

/** Published releases, newest first, without their figures' detail. */
export async function listPublished(db: Executor, forceId: string): Promise<Release[]> {
  const rows = await db.selectFrom('release').select(COLUMNS).where('force_id', '=', forceId).where('status', '=', 'published').orderBy('number', 'desc').execute();
  return rows.map(toRelease);
}

/**
 * Publishes a draft as the given number. Only a draft changes: returns false when the
 * release was already published (or removed) in the meantime.
 */
export async function publishDraft(db: Executor, id: string, p: { number: number; revisions: Revisions; userId: string | null; label: string; at: string }): Promise<boolean> {
  const r = await db
    .updateTable('release')
    .set({ status: 'published', number: p.number, revisions: JSON.stringify(p.revisions), published_by_user_id: p.userId, published_by_label: p.label, published_at: p.at })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
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
 * What the public pages are cached by, in one read: the newest published release's number
 * and a stamp of the loaded Home Office tables (Cedar serves one force).
 */
export async function publicPageStamp(db: Executor): Promise<{ latest: number | null; tables: string }> {
  const r = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('release').select((e) => e.fn.max('number').as('n')).where('status', '=', 'published').as('latest'),
      eb.selectFrom('home_office_table').select((e) => e.fn.countAll().as('n')).as('tables'),
      eb.selectFrom('home_office_table').select((e) => e.fn.max('loaded_at').as('at')).as('loaded'),
    ])
    .executeTakeFirstOrThrow();
  return { latest: r.latest === null || r.latest === undefined ? null : Number(r.latest), tables: `${Number(r.tables ?? 0)}@${r.loaded ?? ''}` };
}
