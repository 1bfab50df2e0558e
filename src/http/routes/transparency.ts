import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatDate, NODE_MODULES } from '../views.js';
import { londonDate } from '../../domain/calendar.js';
import { publicColumnDictionary } from '../../domain/disclosure.js';
import { COUNTED_LEVELS, HIGHEST_LEVEL_LABELS } from '../../domain/report/levels.js';
import type { Services } from '../../services/context.js';
import { isReleaseFileName, publicPageStamp, publishedRelease, publishedReleases, releaseFile, releaseFiles, RELEASE_FILES, type Release } from '../../services/releases.js';
import { nationalComparison } from '../../services/national.js';
import { nationalComparisonView } from '../comparison-view.js';
import { releaseView, COUNT_HEADERS } from '../release-view.js';
import { paramsOf } from '../params.js';

/**
 * The one inline script of the GOV.UK page template (it marks the page as having JavaScript),
 * allowed on the public pages by its hash rather than a per-response nonce, so that a page is
 * the same bytes for everyone: rendered and compressed once, with an ETag.
 */
const TEMPLATE_SCRIPT = (() => {
  const template = fs.readFileSync(path.join(NODE_MODULES, 'govuk-frontend/dist/govuk/template.njk'), 'utf8');
  const m = /<script[^>]*>([^<]+)<\/script>/.exec(template);
  if (!m) throw new Error('The GOV.UK template has no inline script to hash: check the CSP of the public pages');
  return `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`;
})();

/** A public page, ready to send: the HTML, gzipped once, and its ETag. */
interface CachedPage {
  html: string;
  gzip: Buffer;
  etag: string;
}

const PUBLIC = { permission: 'public', stateless: true } as const;
const MAX_CACHED_PAGES = 200;

const LEVEL_MEANINGS: Record<(typeof COUNTED_LEVELS)[number], string> = {
  angle_drive_stun: 'the Taser is fired and then pressed against the person so that the circuit is completed between a probe and the device',
  fired: 'the Taser is fired: two probes on wires strike the person and deliver an electrical current',
  drive_stun: 'the Taser, without a cartridge, is pressed against the person to cause pain',
  arced: 'the Taser is sparked, without being aimed at anyone, as a warning',
  red_dotted: 'the Taser is aimed and its red laser dot is placed on the person',
  aimed: 'the Taser is pointed at the person',
  drawn: 'the Taser is drawn from its holster',
};

const AGGREGATE_COLUMNS = [
  { name: 'Table', meaning: 'Which table the row belongs to: All uses, Month, or a breakdown such as Borough or Age band (perceived).' },
  { name: 'Category', meaning: 'The row: a month, a borough, an age band… “Not recorded” when the report did not say. “All uses” rows are the table’s total.' },
  ...COUNT_HEADERS.map((h) => ({
    name: h,
    meaning:
      h === 'Total'
        ? 'Uses of Taser: non-discharge + discharge + not stated.'
        : h === 'Total non-discharge'
          ? 'Drawn + Aimed + Red-dot + Arced.'
          : h === 'Total discharge'
            ? 'Drive stun + Fired + Angled drive stun.'
            : h === 'Not stated'
              ? 'Uses recorded without a level of use.'
              : `Uses whose highest level was ${h.toLowerCase()}.`,
  })),
];

/**
 * The public transparency pages: no sign-in, the same for everyone. Pages are rendered once
 * per published release and kept (a published release never changes), so serving one is a
 * lookup of the latest release's number and a copy of text; only the CSP nonce differs.
 */
/** A release's number in the path, as a number (not one of the releases is a 404 naming it). */
const releaseParams = z.object({ number: z.string().transform(Number) });
/** A release file's name is checked by the page, after the release: an unknown release is named first. */
const releaseFileParams = releaseParams.extend({ file: z.string() });
const fileParams = z.object({ file: z.string() });

export function registerTransparencyRoutes(app: FastifyInstance, svc: Services): void {
  const cache = new Map<string, CachedPage>();

  async function cached(key: string, build: () => Promise<string>): Promise<CachedPage> {
    let page = cache.get(key);
    if (page === undefined) {
      // Indentation from the templates is a tenth of a page and shows nowhere (no <pre> here).
      const html = (await build()).replace(/\n[ \t]+/g, '\n').replace(/\n{2,}/g, '\n');
      page = { html, gzip: gzipSync(html), etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"` };
      if (cache.size >= MAX_CACHED_PAGES) cache.clear();
      cache.set(key, page);
    }
    return page;
  }

  function send(request: FastifyRequest, reply: FastifyReply, page: CachedPage) {
    // Helmet's policy, with the template script's hash in place of the nonces this page does not use.
    const csp = String(reply.getHeader('content-security-policy') ?? '')
      .replace(/ ?'nonce-[^']+'/g, '')
      .replace(/script-src 'self'/, `script-src 'self' ${TEMPLATE_SCRIPT}`);
    reply.header('content-security-policy', csp).header('cache-control', 'public, max-age=60').header('vary', 'accept-encoding').header('etag', page.etag).type('text/html; charset=utf-8');
    if (request.headers['if-none-match'] === page.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(page.gzip);
    return reply.send(page.html);
  }

  /** A release's page; `latest` is the current release's number when this is an earlier one. */
  const pageFor = async (r: Release | null, latest: number | null) => {
    if (!r) return app.renderPublic('pages/transparency/release.njk', { title: 'Taser use', section: 'latest', r: null });
    const files = await releaseFiles(svc, r.id);
    return app.renderPublic('pages/transparency/release.njk', {
      title: `Release ${r.number}: ${r.snapshot.label}`,
      section: latest ? 'releases' : 'latest',
      r: releaseView(r, files, (name) => `/transparency/releases/${r.number}/${name}`),
      moreHref: `/transparency/releases/${r.number}/breakdowns`,
      latest,
    });
  };

  /**
   * Which pages are current: the current release (the latest figures no release supersedes),
   * the newest published number (a new release changes the list and may supersede an older
   * one) and the loaded national tables.
   */
  const pageState = async () => {
    const { latest, newest, tables } = await publicPageStamp(svc);
    return { latest, tables, key: `${latest}:${newest}` };
  };

  app.get('/transparency', { config: PUBLIC }, async (request, reply) => {
    const { latest, key } = await pageState();
    const page = await cached(`latest:${key}`, async () => pageFor(latest === null ? null : await publishedRelease(svc, latest), null));
    return send(request, reply, page);
  });

  app.get('/transparency/releases', { config: PUBLIC }, async (request, reply) => {
    const { latest, key } = await pageState();
    const page = await cached(`releases:${key}`, async () => {
      const releases = await publishedReleases(svc);
      return app.renderPublic('pages/transparency/releases.njk', {
        title: 'All releases',
        section: 'releases',
        releases: releases.map((r) => ({
          number: r.number,
          label: r.snapshot.label,
          publishedOn: r.publishedAt ? formatDate(londonDate(r.publishedAt)) : '',
          uses: r.snapshot.totals.total,
          revisions: r.revisions?.months.map((m) => m.text) ?? [],
          summary: r.revisions?.summary ?? '',
          supersedes: r.supersedes,
          supersededBy: r.supersededBy,
          current: r.number === latest,
        })),
      });
    });
    return send(request, reply, page);
  });

  app.get('/transparency/releases/:number', { config: { ...PUBLIC, params: releaseParams } }, async (request, reply) => {
    const n = paramsOf(request, releaseParams).number;
    const { latest, key } = await pageState();
    if (n === latest) return reply.redirect('/transparency', 302);
    const page = await cached(`release:${n}:${key}`, async () => pageFor(await publishedRelease(svc, n), latest));
    return send(request, reply, page);
  });

  app.get('/transparency/releases/:number/breakdowns', { config: { ...PUBLIC, params: releaseParams } }, async (request, reply) => {
    const n = paramsOf(request, releaseParams).number;
    const { key } = await pageState();
    const page = await cached(`breakdowns:${n}:${key}`, async () => {
      const r = await publishedRelease(svc, n);
      return app.renderPublic('pages/transparency/breakdowns.njk', {
        title: `More breakdowns: release ${r.number}`,
        section: 'releases',
        r: releaseView(r, [], () => ''),
        backHref: `/transparency/releases/${r.number}`,
      });
    });
    return send(request, reply, page);
  });

  app.get('/transparency/releases/:number/:file', { config: { ...PUBLIC, params: releaseFileParams } }, async (request, reply) => {
    const { number, file } = paramsOf(request, releaseFileParams);
    const release = await publishedRelease(svc, number);
    if (!isReleaseFileName(file)) return reply.callNotFound();
    const f = await releaseFile(svc, release.id, file);
    reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-disposition', `attachment; filename="taser-release-${release.number}-${release.month}-${file}"`)
      .header('vary', 'accept-encoding')
      .header('etag', `"${f.sha256}"`)
      .type(RELEASE_FILES[file].contentType);
    if (request.headers['if-none-match'] === `"${f.sha256}"`) return reply.code(304).send();
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(f.gzip);
    return reply.send(f.text());
  });

  /** The latest release's file, for people who always want the newest figures. */
  app.get('/transparency/latest/:file', { config: { ...PUBLIC, params: fileParams } }, async (request, reply) => {
    const { file } = paramsOf(request, fileParams);
    const { latest } = await pageState();
    if (latest === null || !isReleaseFileName(file)) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=60').redirect(`/transparency/releases/${latest}/${file}`, 302);
  });

  app.get('/transparency/national', { config: PUBLIC }, async (request, reply) => {
    const { tables } = await pageState();
    const page = await cached(`national:${tables}`, async () =>
      app.renderPublic('pages/transparency/national.njk', { title: 'National comparison', section: 'national', nationalComparison: nationalComparisonView(await nationalComparison(svc), 'public') }),
    );
    return send(request, reply, page);
  });

  app.get('/transparency/methodology', { config: PUBLIC }, async (request, reply) => {
    const page = await cached('methodology', async () =>
      app.renderPublic('pages/transparency/methodology.njk', {
        title: 'Methodology and data dictionary',
        section: 'methodology',
        levels: COUNTED_LEVELS.map((l) => ({ label: HIGHEST_LEVEL_LABELS[l], meaning: LEVEL_MEANINGS[l] })),
        files: Object.entries(RELEASE_FILES).map(([name, f]) => ({ name, description: f.description })),
        aggregateColumns: AGGREGATE_COLUMNS,
        dictionary: publicColumnDictionary(),
      }),
    );
    return send(request, reply, page);
  });
}
