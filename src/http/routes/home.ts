import type { FastifyInstance } from 'fastify';
import { armouryKey } from '../../domain/devices/register.js';
import { can, scopeFor } from '../../domain/permissions.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Services } from '../../services/context.js';
import { overdueIssues } from '../../services/armoury.js';
import { getOfficer, listOfficers } from '../../services/officers.js';
import { getTeam, listBoroughs } from '../../services/organisation.js';
import { listOwnReports, listReports } from '../../services/reports.js';
import { listQuarantineProposals } from '../../services/device-reports.js';
import { unreportedUses } from '../../services/device-log-findings.js';
import { noticeFrom } from '../forms.js';

export function registerHomeRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/', { config: { permission: 'signed-in' } }, async (request, reply) => {
    const account = request.identity!.account;
    const grants = account.roles;
    const cards: { title: string; href: string; text: string; stat?: number; statLabel?: string }[] = [];
    if (can(grants, 'create:report')) {
      const own = await listOwnReports(svc, request.actor(), { page: 1, pageSize: 1 });
      cards.push({
        title: 'Record a use of force',
        href: '/reports',
        text: 'Record and justify a use of force, including every Taser use, and see your reports.',
        stat: own.total,
        statLabel: own.total === 1 ? 'report of yours' : 'reports of yours',
      });
    }
    const reviewScope = scopeFor(grants, 'read:report');
    if (reviewScope) {
      const waiting = await listReports(
        svc,
        reviewScope,
        { statuses: can(grants, 'sign_off:report') && !can(grants, 'review:report') ? ['awaiting_sign_off'] : ['submitted'] },
        { page: 1, pageSize: 1 },
      );
      cards.push({
        title: 'Reviews',
        href: '/reviews',
        text: reviewScope.all ? 'Reports across the force awaiting review and sign-off.' : 'Reports in your borough awaiting review and sign-off, and overdue drafts.',
        stat: waiting.total,
        statLabel: 'waiting for you',
      });
    }
    const officerScope = scopeFor(grants, 'read:officer');
    if (officerScope) {
      const { total } = await listOfficers(svc, officerScope, { status: 'active' }, { page: 1, pageSize: 1 });
      cards.push({
        title: 'Officers',
        href: '/officers',
        text: officerScope.all ? 'Find and view officers across the force.' : 'Find and view officers in your borough.',
        stat: total,
        statLabel: 'active officers',
      });
    }
    const deviceScope = scopeFor(grants, 'read:device');
    if (deviceScope && grants.some((g) => g.role === 'professional_standards')) {
      const open = await listQuarantineProposals(svc, deviceScope, { page: 1, pageSize: 1 });
      cards.push({
        title: 'Devices proposed for quarantine',
        href: '/devices/quarantine',
        text: 'Devices named in reports of a discharge with death or serious injury: quarantine them as evidence, or decline.',
        stat: open.total,
        statLabel: 'waiting for a decision',
      });
    }
    if (can(grants, 'read:statistics')) cards.push({ title: 'Statistics', href: '/statistics', text: 'Taser use by period, borough, level and subject; the Home Office return and its downloads.' });
    if (can(grants, 'read:release')) cards.push({ title: 'Monthly releases', href: '/statistics/releases', text: 'Prepare, preview and publish the figures on the public transparency pages.' });
    if (can(grants, 'read:team')) cards.push({ title: 'Teams', href: '/teams', text: 'Boroughs and teams: emergency response, neighbourhood, TSG and others.' });
    if (can(grants, 'manage:account')) cards.push({ title: 'Accounts', href: '/admin/accounts', text: 'Create accounts, give roles and reset passwords.' });
    if (can(grants, 'read:audit')) cards.push({ title: 'Audit log', href: '/audit', text: 'Every change in Cedar, who made it and when, with a tamper check.' });

    // Devices overdue for return (issue 12): for borough commanders and armourers, in their scope.
    const overdue =
      deviceScope && grants.some((g) => g.role === 'borough_commander' || g.role === 'armourer')
        ? (await overdueIssues(svc, deviceScope, 21)).map((i) => ({
            ...i,
            storeHref: `/armoury?store=${encodeURIComponent(armouryKey(i.armoury))}`,
          }))
        : null;

    // Discharges and arcs a device's log shows that no report accounts for (issue 13): a finding
    // for borough commanders, armourers and professional standards, in their scope.
    const unreported =
      deviceScope && grants.some((g) => g.role === 'borough_commander' || g.role === 'armourer' || g.role === 'professional_standards') ? await unreportedUses(svc, deviceScope, 10) : null;

    let ownRecord;
    if (account.officerId) {
      // Their own record, whatever their scope; through the services, like every page.
      const all = { all: true } as const;
      const officer = await getOfficer(svc, all, account.officerId).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
      if (officer) {
        const [team, boroughs] = await Promise.all([officer.teamId ? getTeam(svc, all, officer.teamId) : undefined, officer.boroughId ? listBoroughs(svc) : []]);
        ownRecord = { officer, team, borough: boroughs.find((b) => b.id === officer.boroughId) };
      }
    }
    return reply.render('pages/home.njk', { title: 'Home', cards, ownRecord, unreported, overdue: overdue?.slice(0, 20), moreOverdue: (overdue?.length ?? 0) > 20, notice: noticeFrom(request.query) });
  });
}
