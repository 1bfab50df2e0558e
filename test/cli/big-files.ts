import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { MET_COLUMNS } from '../../src/domain/met/layout.js';
import { writeMetCsv } from '../../src/domain/met/write.js';
import { FIXTURES } from './support.js';

/*
 * Large generated input files for the tests that run an import beside other work or kill it
 * part-way: made from the shared fixtures' rows, written to disk once per test file.
 */

const SAMPLE_ROWS = (parse(fs.readFileSync(`${FIXTURES}/met/met-use-of-force-sample.csv`), { bom: true }) as string[][]).slice(1);
const DATE = MET_COLUMNS.indexOf('IncidentDate');
const TIME = MET_COLUMNS.indexOf('IncidentTime');

/**
 * A Met-format CSV of `rows` distinct readable rows: the sample's, one a minute from 1 January
 * 1990 (`first`: start that many minutes later, for rows no other file of these has).
 */
export function writeMetFile(file: string, rows: number, first = 0): void {
  const out = fs.openSync(file, 'w');
  try {
    for (let start = 0; start < rows; start += 5000) {
      const chunk = Array.from({ length: Math.min(5000, rows - start) }, (_, k) => {
        const i = first + start + k;
        const row = [...SAMPLE_ROWS[i % SAMPLE_ROWS.length]!];
        row[DATE] = new Date(Date.UTC(1990, 0, 1) + Math.floor(i / 1440) * 86_400_000).toISOString().slice(0, 10);
        row[TIME] = `${String(Math.floor((i % 1440) / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
        return row;
      });
      fs.writeSync(out, writeMetCsv(chunk, { header: start === 0 }));
    }
  } finally {
    fs.closeSync(out);
  }
}

/** An officer roster CSV of `rows` new officers (collar numbers K0, K1, …), no borough or team. */
export function writeRosterFile(file: string, rows: number): void {
  const lines = ['collar_number,first_name,last_name,rank,joined_on'];
  for (let i = 0; i < rows; i++) lines.push(`K${i},Kim,Roster-${letters(i)},PC,2019-04-01`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

/** 0 → a, 25 → z, 26 → ba: a name part made of letters only. */
function letters(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}
