import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../../domain/permissions.js';
import { PeriodError } from '../../domain/stats/periods.js';
import { monthLabel } from '../../domain/calendar.js';
import { ValidationError, WorkflowError } from '../../domain/errors.js';
import type { Services } from '../../services/context.js';
import {
  discardDraft,
  DisclosureError,
  draftRelease,
  getRelease,
  IdenticalFiguresError,
  prepareRelease,
  publicationPreview,
  publishedRelease,
  publishedReleases,
  publishRelease,
  releaseFiles,
  releaseMonths,
  supersedeRelease,
} from '../../services/releases.js';
import { errorView, field, formBody, noticeFrom } from '../forms.js';
import { releaseView } from '../release-view.js';
import { formatDate } from '../views.js';
import { idParams, paramsOf } from '../params.js';

const fmt = new Intl.NumberFormat('en-GB');
const idOf = (request: FastifyRequest) => paramsOf(request, idParams).id;

/** The analysts' side of the monthly releases: prepare, preview, publish (after "Are you sure?"), discard, and correct a published release. */
export function registerReleaseRoutes(app: FastifyInstance, svc: Services): void {
  const listPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const [draft, published, range] = await Promise.all([draftRelease(svc), publishedReleases(svc), releaseMonths(svc)]);
    const roles = request.identity!.account.roles;
    return {
      title: 'Monthly releases',
      navPath: '/statistics',
      backLink: '/statistics',
      draft: draft && {
        id: draft.id,
        month: monthLabel(draft.month),
        label: draft.snapshot.label,
        uses: draft.snapshot.totals.total,
        preparedBy: draft.preparedBy,
        preparedAt: draft.preparedAt,
        supersedes: draft.supersedes,
      },
      published: published.map((r) => ({
        id: r.id,
        number: r.number,
        month: monthLabel(r.month),
        label: r.snapshot.label,
        uses: r.snapshot.totals.total,
        publishedAt: r.publishedAt,
        publishedBy: r.publishedBy,
        revisions: r.revisions?.months.map((m) => m.text) ?? [],
        supersedes: r.supersedes,
        supersededBy: r.supersededBy,
      })),
      canPrepare: can(roles, 'create:release'),
      // The months that may be released, for the hint; none when no use of force is recorded.
      range: range && range.first <= range.last ? { first: monthLabel(range.first), last: monthLabel(range.last) } : null,
      nothingRecorded: range === null,
      month: range?.last ?? '',
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
      if (err instanceof PeriodError || err instanceof WorkflowError) {
        const where = err instanceof PeriodError ? '#month' : '#draft';
        return reply
          .code(400)
          .render(
            'pages/statistics/releases.njk',
            await listPage(request, { month, errors: err instanceof PeriodError ? { month: { text: err.message } } : {}, errorList: [{ text: err.message, href: where }] }),
          );
      }
      if (err instanceof DisclosureError) {
        return reply.code(422).render(
          'pages/statistics/releases.njk',
          await listPage(request, {
            month,
            disclosure: err.problems,
            errorList: [{ text: `The release cannot be prepared: ${err.problems.length} value(s) could disclose what must not be published. Nothing was stored.`, href: '#disclosure' }],
          }),
        );
      }
      throw err;
    }
  });

  app.get('/statistics/releases/:id', { config: { permission: 'read:release', params: idParams } }, async (request, reply) => {
    const r = await getRelease(svc, idOf(request));
    const files = await releaseFiles(svc, r.id);
    const base = r.status === 'published' ? `/transparency/releases/${r.number}` : null;
    const roles = request.identity!.account.roles;
    return reply.render('pages/statistics/release.njk', {
      title: r.status === 'draft' ? `Preview: ${r.snapshot.label}` : `Release ${r.number}`,
      navPath: '/statistics',
      backLink: '/statistics/releases',
      release: r,
      r: releaseView(r, files, (name) => (base ? `${base}/${name}` : '#downloads')),
      canPublish: r.status === 'draft' && can(roles, 'publish:release'),
      canDiscard: r.status === 'draft' && can(roles, 'create:release'),
      canCorrect: r.status === 'published' && !r.supersededBy && can(roles, 'create:release'),
      notice: noticeFrom(request.query),
    });
  });

  /** "Are you sure? This cannot be undone", with the headline figures and what the release will state. */
  const confirmPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const p = await publicationPreview(svc, idOf(request));
    const s = p.release.snapshot;
    return {
      title: `Publish release ${p.number}`,
      navPath: '/statistics',
      backLink: `/statistics/releases/${p.release.id}`,
      id: p.release.id,
      number: p.number,
      label: s.label,
      problem: p.problem,
      identicalTo: p.identicalTo,
      supersedes: p.release.supersedes,
      rows: [
        { key: { text: 'Figures' }, value: { text: `Taser use, ${s.label}` } },
        { key: { text: 'Months covered' }, value: { text: s.months.map((m) => m.label).join(', ') } },
        { key: { text: 'Uses of Taser' }, value: { text: fmt.format(s.totals.total) } },
        { key: { text: 'Discharges' }, value: { text: fmt.format(s.totals.discharge) } },
        { key: { text: p.previous ? `Revisions against release ${p.previous.number}` : 'Revisions' }, value: { text: p.revisions.summary } },
        ...(p.release.supersedes ? [{ key: { text: 'Corrects' }, value: { text: `Release ${p.release.supersedes.number}: ${p.release.supersedes.reason}` } }] : []),
        { key: { text: 'Figures counted on' }, value: { text: formatDate(s.countedOn) } },
      ],
      ...extra,
    };
  };

  app.get('/statistics/releases/:id/publish', { config: { permission: 'publish:release', params: idParams } }, async (request, reply) =>
    reply.render('pages/statistics/release-publish.njk', await confirmPage(request)),
  );

  app.post('/statistics/releases/:id/publish', { config: { permission: 'publish:release', params: idParams } }, async (request, reply) => {
    const confirmIdentical = field(formBody(request), 'confirmIdentical') === 'yes';
    try {
      const r = await publishRelease(svc, request.actor(), idOf(request), { confirmIdentical });
      return reply.redirect(`/statistics/releases/${r.id}?notice=release-published`, 303);
    } catch (err) {
      if (err instanceof IdenticalFiguresError) {
        const text = `Confirm that you mean to publish the same figures as release ${err.sameAs} again`;
        return reply.code(400).render('pages/statistics/release-publish.njk', await confirmPage(request, { errors: { confirmIdentical: { text } }, errorList: [{ text, href: '#confirmIdentical' }] }));
      }
      throw err;
    }
  });

  app.post('/statistics/releases/draft/discard', { config: { permission: 'create:release' } }, async (request, reply) => {
    await discardDraft(svc, request.actor());
    return reply.redirect('/statistics/releases?notice=release-discarded', 303);
  });

  /** Correcting a published release in the open: a new release of the same month that supersedes it, with the reason. */
  const supersedePage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const r = await getRelease(svc, idOf(request));
    if (r.status !== 'published') throw new WorkflowError('Only a published release can be corrected: a draft is changed by preparing it again, or discarded.');
    const target = await publishedRelease(svc, r.number!);
    return {
      title: `Correct release ${target.number}`,
      navPath: '/statistics',
      backLink: `/statistics/releases/${target.id}`,
      release: { id: target.id, number: target.number, label: target.snapshot.label, month: monthLabel(target.month), uses: target.snapshot.totals.total, supersededBy: target.supersededBy },
      reason: '',
      ...extra,
    };
  };

  app.get('/statistics/releases/:id/supersede', { config: { permission: 'create:release', params: idParams } }, async (request, reply) =>
    reply.render('pages/statistics/release-supersede.njk', await supersedePage(request)),
  );

  app.post('/statistics/releases/:id/supersede', { config: { permission: 'create:release', params: idParams } }, async (request, reply) => {
    const reason = field(formBody(request), 'reason');
    const r = await getRelease(svc, idOf(request));
    try {
      if (r.status !== 'published') throw new WorkflowError('Only a published release can be corrected.');
      const draft = await supersedeRelease(svc, request.actor(), r.number!, reason);
      return reply.redirect(`/statistics/releases/${draft.id}?notice=release-prepared`, 303);
    } catch (err) {
      if (err instanceof ValidationError) return reply.code(400).render('pages/statistics/release-supersede.njk', await supersedePage(request, { reason, ...errorView(err.errors) }));
      if (err instanceof WorkflowError || err instanceof PeriodError)
        return reply.code(409).render('pages/statistics/release-supersede.njk', await supersedePage(request, { reason, errorList: [{ text: err.message, href: '#reason' }] }));
      if (err instanceof DisclosureError) {
        const text = `The correction cannot be prepared: ${err.problems.length} value(s) could disclose what must not be published (${err.problems
          .slice(0, 3)
          .map((p) => `${p.where} ${p.message}`)
          .join('; ')}). Nothing was stored.`;
        return reply.code(422).render('pages/statistics/release-supersede.njk', await supersedePage(request, { reason, errorList: [{ text, href: '#reason' }] }));
      }
      throw err;
    }
  });
}
