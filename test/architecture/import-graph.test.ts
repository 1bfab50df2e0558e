import { describe, expect, it } from 'vitest';
import { boundaryViolations, buildGraph, cycleMessages, importsOf, kebab, layerOf, nameViolations, resolveSpecifier } from './import-graph.js';

/** The checker behind boundaries.test.ts, on small made-up trees: it must see what it is meant to catch. */

const tree = (files: Record<string, string>) => buildGraph(new Map(Object.entries(files)));

describe('importsOf', () => {
  it('finds every way a file can name a module, type-only ones included', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C } from './c.js';",
      "import './d.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "export * from './g.js';",
      "import h = require('./h.js');",
      "const i = await import('./i.js');",
      "let j: import('./j.js').J;",
      "const k = require('./k.js');",
      "import { z } from 'zod';",
      "// import { no } from './comment.js';",
      'const s = "import { no } from \'./string.js\'";',
    ].join('\n');
    expect(importsOf('src/x.ts', text)).toEqual([
      { specifier: './a.js', kind: 'import', line: 1 },
      { specifier: './b.js', kind: 'import type', line: 2 },
      { specifier: './c.js', kind: 'import', line: 3 },
      { specifier: './d.js', kind: 'import', line: 4 },
      { specifier: './e.js', kind: 'export from', line: 5 },
      { specifier: './f.js', kind: 'export type from', line: 6 },
      { specifier: './g.js', kind: 'export from', line: 7 },
      { specifier: './h.js', kind: 'import =', line: 8 },
      { specifier: './i.js', kind: 'import()', line: 9 },
      { specifier: './j.js', kind: 'import() type', line: 10 },
      { specifier: './k.js', kind: 'require()', line: 11 },
      { specifier: 'zod', kind: 'import', line: 12 },
    ]);
  });

  it('keeps a computed dynamic import, with no specifier, so that it can be refused', () => {
    expect(importsOf('src/x.ts', 'const m = await import(name);')).toEqual([{ specifier: undefined, kind: 'import()', line: 1 }]);
  });
});

describe('resolveSpecifier', () => {
  const known = new Set(['src/db/database.ts', 'src/reference/home-office/index.ts', 'src/domain/csv.ts']);
  it('resolves .js specifiers to the .ts files, folders to their index.ts', () => {
    expect(resolveSpecifier('src/services/setup.ts', '../db/database.js', known)).toBe('src/db/database.ts');
    expect(resolveSpecifier('src/demo/seed.ts', '../reference/home-office/index.js', known)).toBe('src/reference/home-office/index.ts');
    expect(resolveSpecifier('src/demo/seed.ts', '../reference/home-office', known)).toBe('src/reference/home-office/index.ts');
    expect(resolveSpecifier('src/domain/roster.ts', './csv', known)).toBe('src/domain/csv.ts');
  });
  it('leaves packages out and says when a relative specifier names nothing', () => {
    expect(resolveSpecifier('src/db/database.ts', 'kysely', known)).toBeUndefined();
    expect(resolveSpecifier('src/db/database.ts', 'node:path', known)).toBeUndefined();
    expect(resolveSpecifier('src/db/database.ts', './nowhere.js', known)).toBeNull();
    expect(resolveSpecifier('src/db/database.ts', '../../test/support/app.js', known)).toBeNull();
  });
});

describe('layerOf', () => {
  it('places each file in its room', () => {
    expect(layerOf('src/domain/report/levels.ts')).toBe('domain');
    expect(layerOf('src/db/migrations/0001_foundation.ts')).toBe('db');
    expect(layerOf('src/http/routes/reports/list.ts')).toBe('http');
    expect(layerOf('src/demo/seed.ts')).toBe('demo');
    expect(layerOf('src/reference/home-office/index.ts')).toBe('reference');
    expect(layerOf('src/config.ts')).toBe('config');
    expect(layerOf('src/main.ts')).toBe('main');
    expect(layerOf('src/helpers.ts')).toBeUndefined();
    expect(layerOf('src/utils/strings.ts')).toBeUndefined();
  });
});

describe('boundaryViolations', () => {
  it('names the file pair of a forbidden edge, and why', () => {
    const g = tree({
      'src/http/routes/admin.ts': "import { findOfficer } from '../../db/repositories/officers.js';\nimport type { Officer } from '../../db/repositories/officers.js';",
      'src/db/repositories/officers.ts': '',
    });
    expect(boundaryViolations(g)).toEqual(['src/http/routes/admin.ts → src/db/repositories/officers.ts: http may import only services, domain, config (import, line 1)']);
  });

  it('refuses a type-only edge as firmly as any other', () => {
    const g = tree({ 'src/domain/report/levels.ts': "import type { DB } from '../../db/schema.js';", 'src/db/schema.ts': '' });
    expect(boundaryViolations(g)).toEqual(['src/domain/report/levels.ts → src/db/schema.ts: domain may import nothing of ours outside domain (import type, line 1)']);
  });

  it('allows the edges the rule allows', () => {
    const g = tree({
      'src/main.ts': "import './http/app.js'; import './cli/commands/seed.js'; import './demo/seed.js'; import './config.js';",
      'src/config.ts': "import './domain/audit.js';",
      'src/http/app.ts': "import '../services/reports.js'; import type { Level } from '../domain/levels.js'; import './views.js'; import type { Config } from '../config.js';",
      'src/http/views.ts': '',
      'src/cli/commands/seed.ts': "import '../../demo/seed.js'; import '../runtime.js';",
      'src/cli/runtime.ts': "import '../services/setup.js'; import '../config.js';",
      'src/demo/seed.ts': "import '../services/reports.js'; import '../domain/levels.js'; import '../reference/home-office/index.js';",
      'src/reference/home-office/index.ts': "import { readFile } from 'node:fs/promises';",
      'src/services/reports.ts': "import '../db/repositories/reports.js'; import '../domain/levels.js'; import './context.js';",
      'src/services/context.ts': "export { DatabaseBusyError } from '../db/database.js';",
      'src/services/setup.ts': "import type { Config } from '../config.js';",
      'src/db/repositories/reports.ts': "import '../../domain/levels.js'; import '../database.js'; import { sql } from 'kysely';",
      'src/db/database.ts': '',
      'src/domain/levels.ts': "import './audit.js'; import { z } from 'zod';",
      'src/domain/audit.ts': "import { createHash } from 'node:crypto';",
    });
    expect(g.edges.length).toBe(24);
    expect(g.unresolved).toEqual([]);
    expect(boundaryViolations(g)).toEqual([]);
  });

  it('lets nothing import main, and nothing but main import http or cli', () => {
    const g = tree({
      'src/main.ts': '',
      'src/services/a.ts': "import '../main.js';",
      'src/http/a.ts': "import '../cli/a.js'; import '../demo/a.js';",
      'src/cli/a.ts': "import '../http/a.js';",
      'src/demo/a.ts': "import '../db/a.js'; import '../cli/a.js';",
      'src/db/a.ts': "import '../config.js';",
      'src/config.ts': "import './services/a.js';",
      'src/reference/a.ts': "import '../domain/a.js';",
      'src/domain/a.ts': '',
    });
    expect(boundaryViolations(g)).toEqual([
      'src/cli/a.ts → src/http/a.ts: cli may import only services, domain, config, demo (import, line 1)',
      'src/config.ts → src/services/a.ts: config may import only domain (import, line 1)',
      'src/db/a.ts → src/config.ts: db may import only domain (import, line 1)',
      'src/demo/a.ts → src/db/a.ts: demo may import only services, domain, reference (import, line 1)',
      'src/demo/a.ts → src/cli/a.ts: demo may import only services, domain, reference (import, line 1)',
      'src/http/a.ts → src/cli/a.ts: http may import only services, domain, config (import, line 1)',
      'src/http/a.ts → src/demo/a.ts: http may import only services, domain, config (import, line 1)',
      'src/reference/a.ts → src/domain/a.ts: reference may import nothing of ours outside reference (import, line 1)',
      'src/services/a.ts → src/main.ts: services may import only domain, db, config (import, line 1)',
    ]);
  });

  it('refuses a file outside every room, an import that names nothing and a computed dynamic import', () => {
    const g = tree({
      'src/util.ts': '',
      'src/services/a.ts': "import '../../test/support/app.js';\nconst m = await import(name);",
    });
    expect(boundaryViolations(g)).toEqual([
      'src/util.ts: belongs to no room (src/{domain,db,services,http,cli,demo,reference}/, src/config.ts, src/main.ts)',
      'src/services/a.ts → ../../test/support/app.js: names no source file under src (import, line 1)',
      'src/services/a.ts: line 2: a dynamic import with a computed specifier cannot be checked; name the module',
    ]);
  });
});

describe('cycleMessages', () => {
  it('finds a cycle made of type-only imports, as the chain of files', () => {
    const g = tree({
      'src/services/demo.ts': "import type { Random } from './demo-random.js';",
      'src/services/demo-random.ts': "import type { DemoPlan } from './demo.js';",
    });
    expect(boundaryViolations(g)).toEqual([]);
    expect(cycleMessages(g)).toEqual(['import cycle: src/services/demo-random.ts → src/services/demo.ts → src/services/demo-random.ts']);
  });

  it('gives the shortest way round a longer knot, once per knot', () => {
    const g = tree({
      'src/domain/a.ts': "import './b.js';",
      'src/domain/b.ts': "import './c.js'; import './d.js';",
      'src/domain/c.ts': "export * from './a.js';",
      'src/domain/d.ts': "import './b.js';",
      'src/domain/e.ts': "import './e.js';",
      'src/domain/f.ts': "import './a.js';",
    });
    expect(cycleMessages(g)).toEqual(['import cycle: src/domain/a.ts → src/domain/b.ts → src/domain/c.ts → src/domain/a.ts', 'import cycle: src/domain/e.ts → src/domain/e.ts']);
  });

  it('finds none in a tree without one', () => {
    const g = tree({ 'src/domain/a.ts': "import './b.js'; import './c.js';", 'src/domain/b.ts': "import './c.js';", 'src/domain/c.ts': '' });
    expect(cycleMessages(g)).toEqual([]);
  });
});

describe('nameViolations', () => {
  it('refuses a camelCase name and says what to call it', () => {
    expect(nameViolations(['src/services/metImport.ts', 'src/domain/apiTokens.ts', 'test/services/met-import.test.ts'])).toEqual([
      'src/domain/apiTokens.ts: name is not kebab-case; call it api-tokens.ts',
      'src/services/metImport.ts: name is not kebab-case; call it met-import.ts',
    ]);
  });

  it('refuses a camelCase folder once, and an underscore outside the migrations', () => {
    expect(nameViolations(['src/http/routes/creatingReports/a.ts', 'src/http/routes/creatingReports/b.ts', 'src/domain/met_read.ts', 'test/db/0001_foundation.ts'])).toEqual([
      'src/domain/met_read.ts: name is not kebab-case; call it met-read.ts',
      'src/http/routes/creatingReports: name is not kebab-case; call it creating-reports',
      'test/db/0001_foundation.ts: name is not kebab-case; call it 0001-foundation.ts',
    ]);
  });

  it('keeps the migrations as they are named, and README.md', () => {
    expect(
      nameViolations([
        'src/db/migrations/0001_foundation.ts',
        'src/db/migrations/0018_release_corrections_audit_key.ts',
        'src/reference/home-office/README.md',
        'test/fixtures/met/windows-1252.csv',
        'src/http/views/pages/reports/check-answers.njk',
      ]),
    ).toEqual([]);
  });

  it('spells names in kebab-case', () => {
    expect(kebab('importStaging.ts')).toBe('import-staging.ts');
    expect(kebab('postUse.njk')).toBe('post-use.njk');
    expect(kebab('HTMLEscape.ts')).toBe('html-escape.ts');
  });
});
