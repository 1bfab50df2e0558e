#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json), then stamps dist/.built.
// `--if-stale` (what `npm start` runs) builds only when dist/ is missing or a source file changed
// after the last build, so a start after no change costs a few milliseconds, not a tsc run.
// bin/cedar.js asks the same question (builtState) to decide between dist/ and tsx.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = path.join(ROOT, 'dist', '.built');

/** 'fresh': dist/ was built after the last change to any src/**\/*.ts; 'stale': it was built before; 'missing': never built. */
export function builtState(root = ROOT) {
  let stamp;
  try {
    stamp = fs.statSync(path.join(root, 'dist', '.built')).mtimeMs;
    fs.accessSync(path.join(root, 'dist', 'main.js'));
    fs.accessSync(path.join(root, 'dist', 'cli', 'main.js'));
  } catch {
    return 'missing';
  }
  let entries;
  try {
    entries = fs.readdirSync(path.join(root, 'src'), { recursive: true });
  } catch {
    return 'fresh'; // an install that ships dist/ without src/
  }
  for (const entry of entries) {
    if (entry.endsWith('.ts') && fs.statSync(path.join(root, 'src', entry)).mtimeMs > stamp) return 'stale';
  }
  return 'fresh';
}

/** Runs tsc; on success stamps the build. Returns tsc's exit code. */
export function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    console.error('cedar: cannot build: TypeScript is not installed. `npm install` (with the dev dependencies) first.');
    return 1;
  }
  const started = new Date(); // the stamp's time: a source saved while tsc runs is newer, so stale
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  fs.writeFileSync(STAMP, '');
  fs.utimesSync(STAMP, started, started);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && builtState() === 'fresh') process.exit(0);
  if (ifStale) console.log('Building Cedar (src/ to dist/)…');
  process.exit(build());
}
