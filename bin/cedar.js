#!/usr/bin/env node
// The `cedar` command. Runs the compiled CLI (dist/cli/main.js) in this process when it was built
// after the last change to src/ (bin/build.js decides); otherwise the TypeScript CLI through tsx
// (a development install), so an edit is never run stale. With neither a fresh build nor tsx (a
// production install without dev dependencies), it runs the build it has and says so, or says
// to build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, builtState } from './build.js';

const compiled = path.join(ROOT, 'dist', 'cli', 'main.js');
const state = builtState();

function tsxCli() {
  try {
    return createRequire(import.meta.url).resolve('tsx/cli');
  } catch {
    return null;
  }
}

const tsx = state === 'fresh' ? null : tsxCli();
if (tsx) {
  const result = spawnSync(process.execPath, [tsx, path.join(ROOT, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
} else if (state === 'missing') {
  console.error('cedar: Cedar is not built. Run `npm run build` first (it needs the dev dependencies: `npm install`).');
  process.exit(1);
} else {
  if (state === 'stale') console.error('cedar: src/ changed after the last `npm run build` and tsx is not installed: running the last build.');
  await import(pathToFileURL(compiled).href);
}
