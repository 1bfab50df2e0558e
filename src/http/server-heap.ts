import v8 from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept, for Cedar's
 * server: 1.5×. V8's own choice under a steady allocation rate goes up to 4×, so after a busy
 * spell a server whose live objects are 45–60 MB kept 150 MB of old space, most of it garbage,
 * and never gave it back while idle (RSS 356 MiB after the bench's pages, 5× a bare Fastify
 * process; with this, 233–248 MiB and the same requests per second, measured side by side).
 * The flag is read each time V8 sets the next limit, so setting it at start, before the
 * server has grown its heap, is enough. Only the server calls this: the CLI's imports keep V8's
 * own heuristics.
 */
const SERVER_HEAP_GROWING_PERCENT = 50;

export function tuneHeapForServer(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${SERVER_HEAP_GROWING_PERCENT}`);
}
