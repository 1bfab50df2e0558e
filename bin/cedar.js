#!/usr/bin/env node
// The `cedar` command. Runs the compiled CLI (dist/cli/main.js, from `npm run build`) in this
// process when it is at least as new as every source file; otherwise the TypeScript CLI through
// tsx (a development install), so an edit is never run stale. With neither fresh JavaScript nor
// tsx (a production install without dev dependencies and an old build), it says to build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist', 'cli', 'main.js');
const built = path.join(root, 'dist', '.built'); // written by `npm run build` when tsc succeeds

/** The build stamp's time, or 0 if there is no build; -1 if a source file is newer than it. */
function buildTime() {
  let stamp;
  try {
    stamp = fs.statSync(built).mtimeMs;
    fs.accessSync(compiled);
  } catch {
    return 0;
  }
  const src = path.join(root, 'src');
  let entries;
  try {
    entries = fs.readdirSync(src, { recursive: true });
  } catch {
    return stamp; // an install with dist/ only
  }
  for (const entry of entries) {
    if (entry.endsWith('.ts') && fs.statSync(path.join(src, entry)).mtimeMs > stamp) return -1;
  }
  return stamp;
}

function tsxCli() {
  try {
    return createRequire(import.meta.url).resolve('tsx/cli');
  } catch {
    return null;
  }
}

const stamp = buildTime();
const tsx = stamp > 0 ? null : tsxCli();
if (stamp > 0 || (!tsx && stamp === -1)) {
  if (stamp === -1) console.error('cedar: dist/ is older than src/ and tsx is not installed: running the old build. `npm run build` brings it up to date.');
  await import(pathToFileURL(compiled).href);
} else if (tsx) {
  const result = spawnSync(process.execPath, [tsx, path.join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
} else {
  console.error('cedar: Cedar is not built. Run `npm run build` first (it needs the dev dependencies: `npm install`).');
  process.exit(1);
}
