import { type Kysely } from 'kysely';
import { readContent, type StoredContent } from '../../domain/report/content.js';
import { factsOf, joinCodes } from '../../domain/stats/facts.js';

// Statistics read narrow columns, never the JSON content: the London date of the incident
// and the subject, duty and reason answers are kept beside each report (multi-valued answers
// as `,code,code,` so one code can be matched with LIKE). Reports imported from the Met's
// published files have the same columns in their own table, with the published row kept
// for export; `source_key` makes re-importing a file add nothing.
const FACT_COLUMNS: [string, 'text' | 'integer'][] = [
  ['occurred_on', 'text'],
  ['age_band', 'text'],
  ['gender', 'text'],
  ['ethnicity', 'text'],
  ['main_duty', 'text'],
  ['single_crewed', 'integer'],
  ['reasons', 'text'],
  ['impact_factors', 'text'],
  ['locations', 'text'],
  ['outcomes', 'text'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, type] of FACT_COLUMNS) await db.schema.alterTable('uof_report').addColumn(name, type).execute();
  await db.schema.createIndex('uof_report_occurred_on_idx').on('uof_report').columns(['force_id', 'occurred_on']).execute();
  // Reports recorded before this migration get their columns from their content.
  const existing = await db.selectFrom('uof_report').select(['id', 'content']).execute();
  for (const r of existing as { id: string; content: string }[]) {
    const { content } = readContent(JSON.parse(r.content) as StoredContent);
    const f = factsOf(content);
    await db
      .updateTable('uof_report')
      .set({
        occurred_on: content.incident?.date ?? null,
        age_band: f.ageBand,
        gender: f.gender,
        ethnicity: f.ethnicity,
        main_duty: f.mainDuty,
        single_crewed: f.singleCrewed === null ? null : f.singleCrewed ? 1 : 0,
        reasons: joinCodes(f.reasons),
        impact_factors: joinCodes(f.impactFactors),
        locations: joinCodes(f.locations),
        outcomes: joinCodes(f.outcomes),
      })
      .where('id', '=', r.id)
      .execute();
  }

  let t = db.schema
    .createTable('imported_report')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull().references('force.id'))
    .addColumn('source_key', 'text', (c) => c.notNull())
    .addColumn('source_file', 'text', (c) => c.notNull())
    .addColumn('source_line', 'integer', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('borough_id', 'text', (c) => c.references('borough.id'))
    .addColumn('borough_name', 'text')
    .addColumn('highest_level', 'text')
    .addColumn('discharge', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ced_used', 'integer', (c) => c.notNull().defaultTo(0));
  for (const [name, type] of FACT_COLUMNS) t = t.addColumn(name, type);
  await t
    .addColumn('row', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('imported_report_source_uq', ['force_id', 'source_key'])
    .execute();
  await db.schema.createIndex('imported_report_occurred_on_idx').on('imported_report').columns(['force_id', 'occurred_on']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('imported_report').execute();
  await db.schema.dropIndex('uof_report_occurred_on_idx').execute();
  for (const [name] of FACT_COLUMNS) await db.schema.alterTable('uof_report').dropColumn(name).execute();
}
