import { readFile } from 'node:fs/promises';

/**
 * Published Home Office tables of Taser (CED) use by police force, England and Wales, with
 * the period each covers: Home Office Official Statistics (Open Government Licence v3.0), as
 * cleaned into CSV by Resistance Lab; copies of ../shared/reference/home-office/. The demo
 * loads them for the national comparison; a force loads its own with
 * `npm run cedar -- import home-office-ced FILE --period P`.
 */
export const PUBLISHED_HOME_OFFICE_TABLES = [
  { file: 'ced-by-force-january-december2016-revised.csv', period: '2016' },
  { file: 'ced-by-force-april2017-march2018.csv', period: '2017-18' },
  { file: 'ced-by-force-april2018-march2019.csv', period: '2018-19' },
] as const;

/** The bytes of one of the tables above, read from src/reference/home-office/ in the package (also when running the compiled dist/reference/home-office/index.js). */
export function readPublishedTable(file: (typeof PUBLISHED_HOME_OFFICE_TABLES)[number]['file']): Promise<Buffer> {
  return readFile(new URL(`../../../src/reference/home-office/${file}`, import.meta.url));
}
