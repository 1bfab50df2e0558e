import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../../domain/permissions.js';
import { londonDate, PeriodError } from '../../domain/stats/periods.js';
import { lastCompleteMonth, monthLabel } from '../../domain/stats/release.js';
import type { Services } from '../../services/context.js';
import { discardDraft, DisclosureError, draftRelease, getRelease, prepareRelease, publishedReleases, publishRelease, releaseFiles } from '../../services/releases.js';
import { field, formBody, noticeFrom } from '../forms.js';
import { releaseView } from '../release-view.js';

/** The analysts' side of the monthly releases: prepare, preview, publish or discard. */
export function registerReleaseRoutes(app: FastifyInstance, svc: Services): void {
  const listPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const [draft, published] = await Promise.all([draftRelease(svc), publishedReleases(svc)]);
    const roles = request.identity!.account.roles;
    return {
      title: 'Monthly releases',
      navPath: '/statistics',
      backLink: '/statistics',
      draft: draft && { id: draft.id, month: monthLabel(draft.month), label: draft.snapshot.label, uses: draft.snapshot.totals.total, preparedBy: draft.preparedBy, preparedAt: draft.preparedAt },
      published: published.map((r) => ({ number: r.number, month: monthLabel(r.month), label: r.snapshot.label, uses: r.snapshot.totals.total, publishedAt: r.publishedAt, publishedBy: r.publishedBy, revisions: r.revisions?.months.map((m) => m.text) ?? [] })),
      canPrepare: can(roles, 'create:release'),
      month: lastCompleteMonth(londonDate(svc.now())),
      notice: noticeFrom(request.query),
      ...extra,
    };
  };

  app.get('/statistics/releases', { config: { permission: 'read:release' } }, async (request, reply) => reply.render('pages/statistics/releases.njk', await listPage(request)));

  app.post('/statistics/releases', { config: { permission: 'create:release' } }, async (request, reply) => {
    const month = field(formBody(request), 'month').trim();
    try {
      const r = await prepareRelease(svc, request.actor(), month);
      return reply.redirect(`/statistics/releases/${r.id}?notice=release-prepared`, 303);
    } catch (err) {
      if (err instanceof PeriodError) {
        return reply.code(400).render('pages/statistics/releases.njk', await listPage(request, { month, errors: { month: { text: err.message } }, errorList: [{ text: err.message, href: '#month' }] }));
      }
      if (err instanceof DisclosureError) {
        return reply.code(422).render('pages/statistics/releases.njk', await listPage(request, { month, disclosure: err.problems, errorList: [{ text: `The release cannot be prepared: ${err.problems.length} value(s) could disclose what must not be published. Nothing was stored.`, href: '#disclosure' }] }));
      }
      throw err;
    }
  });

  app.get('/statistics/releases/:id', { config: { permission: 'read:release' } }, async (request, reply) => {
    const r = await getRelease(svc, (request.params as { id: string }).id);
    const files = await releaseFiles(svc, r.id);
    const base = r.status === 'published' ? `/transparency/releases/${r.number}` : null;
    return reply.render('pages/statistics/release.njk', {
      title: r.status === 'draft' ? `Preview: ${r.snapshot.label}` : `Release ${r.number}`,
      navPath: '/statistics',
      backLink: '/statistics/releases',
      release: r,
      r: releaseView(r, files, (name) => (base ? `${base}/${name}` : '#downloads')),
      canPublish: r.status === 'draft' && can(request.identity!.account.roles, 'publish:release'),
      notice: noticeFrom(request.query),
    });
  });

  app.post('/statistics/releases/:id/publish', { config: { permission: 'publish:release' } }, async (request, reply) => {
    const r = await publishRelease(svc, request.actor(), (request.params as { id: string }).id);
    return reply.redirect(`/statistics/releases/${r.id}?notice=release-published`, 303);
  });

  app.post('/statistics/releases/draft/discard', { config: { permission: 'create:release' } }, async (request, reply) => {
    await discardDraft(svc, request.actor());
    return reply.redirect('/statistics/releases?notice=release-discarded', 303);
  });
}
