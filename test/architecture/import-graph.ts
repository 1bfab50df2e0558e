import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The house rules of src/, checked by test/architecture/boundaries.test.ts: which room may import
 * which (docs/architecture.md), no import cycles, kebab-case file names. Paths here are relative to
 * the repository root with forward slashes (`src/http/app.ts`), so messages read the same anywhere.
 */

export type Layer = 'domain' | 'db' | 'services' | 'http' | 'cli' | 'demo' | 'reference' | 'config' | 'main';

/**
 * What each room may import besides itself. `main.ts` is the top and may import anything; nothing
 * imports it. `config.ts` is the environment schema: it uses domain (the audit key's format), and
 * services, http, cli and the top take the `Config` it returns. `reference/` is the published data
 * Cedar ships (Home Office tables read beside their module): it imports nothing of ours, and the demo
 * loads it. Nothing imports http; only main imports cli; only cli and main import the demo.
 */
export const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  domain: [],
  db: ['domain'],
  services: ['domain', 'db', 'config'],
  http: ['services', 'domain', 'config'],
  cli: ['services', 'domain', 'config', 'demo'],
  demo: ['services', 'domain', 'reference'],
  reference: [],
  config: ['domain'],
  main: ['domain', 'db', 'services', 'http', 'cli', 'demo', 'reference', 'config'],
};

const ROOM_LAYERS: Readonly<Record<string, Layer>> = {
  domain: 'domain',
  db: 'db',
  services: 'services',
  http: 'http',
  cli: 'cli',
  demo: 'demo',
  reference: 'reference',
};

/** The room a source file lives in, or undefined for a file outside every room. */
export function layerOf(file: string): Layer | undefined {
  if (file === 'src/config.ts') return 'config';
  if (file === 'src/main.ts') return 'main';
  const m = /^src\/([^/]+)\/./.exec(file);
  return m ? ROOM_LAYERS[m[1]!] : undefined;
}

export type ImportKind = 'import' | 'import type' | 'export from' | 'export type from' | 'import =' | 'import()' | 'import() type' | 'require()';

export interface ImportSite {
  specifier: string | undefined; // undefined: a dynamic import whose specifier is computed
  kind: ImportKind;
  line: number;
}

/** Every module a TypeScript file names, type-only ones included, found by walking its syntax tree. */
export function importsOf(fileName: string, text: string): ImportSite[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const sites: ImportSite[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined, kind: ImportKind) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    const literal = specifier && (ts.isStringLiteral(specifier) || ts.isNoSubstitutionTemplateLiteral(specifier)) ? specifier.text : undefined;
    sites.push({ specifier: literal, kind, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ? 'import type' : 'import');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, node.moduleSpecifier, node.isTypeOnly ? 'export type from' : 'export from');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, 'import =');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], 'import()');
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
      add(node, node.arguments[0], 'require()');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, 'import() type');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return sites;
}

/**
 * The file a relative specifier names, as NodeNext resolves it for us: `./x.js` is `./x.ts`;
 * an extensionless one is `./x.ts` or `./x/index.ts`. Undefined for a package (`kysely`,
 * `node:fs`), which is outside the house; `null` when it names no file we know.
 */
export function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | null | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = /\.[cm]?js$/.test(target)
    ? [
        target
          .replace(/\.js$/, '.ts')
          .replace(/\.mjs$/, '.mts')
          .replace(/\.cjs$/, '.cts'),
      ]
    : /\.[cm]?ts$/.test(target)
      ? [target]
      : [`${target}.ts`, `${target}/index.ts`];
  return candidates.find((c) => known.has(c)) ?? null;
}

export interface ImportEdge {
  from: string;
  to: string;
  kind: ImportKind;
  line: number;
}

export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
  /** Relative specifiers that name no source file (outside src, a typo, a computed dynamic import). */
  unresolved: { from: string; specifier: string | undefined; kind: ImportKind; line: number }[];
}

/** The import graph of some sources (path → text); packages are left out. */
export function buildGraph(sources: ReadonlyMap<string, string>): ImportGraph {
  const known = new Set(sources.keys());
  const graph: ImportGraph = { files: [...known].sort(), edges: [], unresolved: [] };
  for (const from of graph.files) {
    for (const site of importsOf(from, sources.get(from)!)) {
      if (site.specifier === undefined) {
        graph.unresolved.push({ from, ...site });
        continue;
      }
      const to = resolveSpecifier(from, site.specifier, known);
      if (to === undefined) continue;
      if (to === null) graph.unresolved.push({ from, ...site });
      else graph.edges.push({ from, to, kind: site.kind, line: site.line });
    }
  }
  return graph;
}

function describeAllowed(layer: Layer): string {
  const allowed = ALLOWED[layer];
  return allowed.length === 0 ? `${layer} may import nothing of ours outside ${layer}` : `${layer} may import only ${allowed.join(', ')}`;
}

/** One message per file pair that breaks the dependency rule, in file order. */
export function boundaryViolations(graph: ImportGraph): string[] {
  const messages: string[] = [];
  for (const file of graph.files) {
    if (!layerOf(file)) messages.push(`${file}: belongs to no room (src/{domain,db,services,http,cli,demo,reference}/, src/config.ts, src/main.ts)`);
  }
  const seen = new Set<string>();
  for (const e of graph.edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (!from || !to || from === to || ALLOWED[from].includes(to)) continue;
    const pair = `${e.from} → ${e.to}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    messages.push(`${pair}: ${describeAllowed(from)} (${e.kind}, line ${e.line})`);
  }
  for (const u of graph.unresolved) {
    messages.push(
      u.specifier === undefined
        ? `${u.from}: line ${u.line}: a dynamic import with a computed specifier cannot be checked; name the module`
        : `${u.from} → ${u.specifier}: names no source file under src (${u.kind}, line ${u.line})`,
    );
  }
  return messages;
}

/**
 * One cycle for each knot of mutually importing files (a strongly connected component), as the
 * chain of files from the first of them back to it. Type-only imports count.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const f of graph.files) next.set(f, []);
  for (const e of graph.edges) {
    const out = next.get(e.from) ?? [];
    if (!out.includes(e.to)) out.push(e.to);
    next.set(e.from, out);
    if (!next.has(e.to)) next.set(e.to, []);
  }
  for (const out of next.values()) out.sort();

  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);

  const cycles: string[][] = [];
  for (const component of components) {
    const start = component[0]!;
    if (component.length === 1 && !next.get(start)!.includes(start)) continue;
    // The shortest way from the first file back to itself, inside the knot.
    const inside = new Set(component);
    const parent = new Map<string, string>();
    const queue = [start];
    let last: string | undefined;
    while (queue.length && last === undefined) {
      const v = queue.shift()!;
      for (const w of next.get(v)!) {
        if (w === start) {
          last = v;
          break;
        }
        if (inside.has(w) && !parent.has(w)) {
          parent.set(w, v);
          queue.push(w);
        }
      }
    }
    const chain = [start];
    for (let v = last!; v !== start; v = parent.get(v)!) chain.splice(1, 0, v);
    chain.push(start);
    cycles.push(chain);
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

export function cycleMessages(graph: ImportGraph): string[] {
  return findCycles(graph).map((chain) => `import cycle: ${chain.join(' → ')}`);
}

const KEBAB = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
const MIGRATION = /^\d{4}_[a-z0-9_]+\.ts$/;

/** A kebab-case spelling of a name, to say what to rename it to. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .replace(/[_\s]+/g, '-')
    .toLowerCase();
}

/**
 * Every folder and file name on these paths is kebab-case (lowercase letters, digits, hyphens,
 * dots), except migrations, which keep their `0001_foundation.ts` names, and README.md.
 */
export function nameViolations(paths: readonly string[]): string[] {
  const messages = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    parts.forEach((name, i) => {
      if (KEBAB.test(name) || name === 'README.md') return;
      const dir = parts.slice(0, i).join('/');
      if (dir === 'src/db/migrations' && i === parts.length - 1 && MIGRATION.test(name)) return;
      const where = parts.slice(0, i + 1).join('/');
      messages.add(`${where}: name is not kebab-case; call it ${kebab(name)}`);
    });
  }
  return [...messages].sort();
}

/** What git ignores under src/ and test/ (.gitignore), left out of the name check. */
const IGNORED = new Set(['node_modules', 'data', 'coverage', 'test-results', 'screenshots', 'scratch', '.DS_Store']);

/** Every file under these folders of the repository, as repository-relative paths. */
export function listFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (IGNORED.has(entry.name) || /\.db(-wal|-shm)?$/.test(entry.name)) continue;
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/** The TypeScript sources under src/ (path → text). */
export function readSources(root: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const file of listFiles(root, ['src'])) {
    if (/\.[cm]?ts$/.test(file)) sources.set(file, readFileSync(path.join(root, file), 'utf8'));
  }
  return sources;
}
