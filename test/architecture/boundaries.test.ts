import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boundaryViolations, buildGraph, cycleMessages, listFiles, nameViolations, readSources } from './import-graph.js';

/**
 * The house rules (docs/architecture.md): domain imports nothing of ours; db only domain; services
 * only domain and db; http and cli only services and domain; no import cycles, type-only imports
 * included; kebab-case names. Each failure names the file pair (or the cycle, or the name).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const graph = buildGraph(readSources(ROOT));

describe('the import boundaries of src/', () => {
  it('reads the whole tree, so that the rules below cannot pass by finding nothing', () => {
    expect(graph.files.length).toBeGreaterThan(100);
    expect(graph.edges.length).toBeGreaterThan(400);
    expect(graph.files).toContain('src/main.ts');
    // Type-only imports and re-exports are part of the graph.
    expect(graph.edges.some((e) => e.kind === 'import type')).toBe(true);
    expect(graph.edges.some((e) => e.kind === 'export from' || e.kind === 'export type from')).toBe(true);
    // Every room is there and imported from somewhere.
    for (const room of ['domain', 'db', 'services', 'http', 'cli']) {
      expect(
        graph.edges.some((e) => e.to.startsWith(`src/${room}/`)),
        room,
      ).toBe(true);
    }
  });

  it('each room imports only the rooms below it', () => {
    expect(boundaryViolations(graph)).toEqual([]);
  });

  it('has no import cycles, type-only imports included', () => {
    expect(cycleMessages(graph)).toEqual([]);
  });

  it('names every file and folder in src/ and test/ in kebab-case', () => {
    const files = listFiles(ROOT, ['src', 'test']);
    expect(files.length).toBeGreaterThan(graph.files.length);
    expect(nameViolations(files)).toEqual([]);
  });

  it('http, cli and the demo never use the database the services hold (svc.database), only services', () => {
    // An import rule cannot see a property: the services object carries the database for the services' own use.
    const offending = graph.files
      .filter((f) => /^src\/(http|cli|demo)\//.test(f))
      .flatMap((f) =>
        fs
          .readFileSync(path.join(ROOT, f), 'utf8')
          .split('\n')
          .flatMap((line, i) => (/\b(svc|services)\.database\b/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offending).toEqual([]);
  });

  it('reads the wall clock only at the edge: the services clock, ids, and timings of work', () => {
    // Services, pages and the demo take `now` from svc.now() (fixed in tests); a repository is told the instant.
    const allowed = new Map([
      ['src/services/context.ts', /wallClock = \(\): Date => new Date\(\)/],
      ['src/db/ids.ts', /newId\(now: number = Date\.now\(\)\)/], // UUIDv7's time bits: ordering, not a record of when
      ['src/cli/runtime.ts', /const now = Date\.now\(\);/], // a progress meter's rate
      ['src/http/routes/audit.ts', /Date\.now\(\)/], // how long the chain check took
      ['src/db/migrations/0015_account_security.ts', /Date\.now\(\)/], // existing tokens' expiry, set once when the migration runs
    ]);
    const offending = graph.files.flatMap((f) =>
      fs
        .readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/new Date\(\)|Date\.now\(\)/.test(line) && !allowed.get(f)?.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offending).toEqual([]);
  });
});
