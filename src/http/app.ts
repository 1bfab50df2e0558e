import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import staticFiles from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import path from 'node:path';
import qs from 'node:querystring';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Services } from '../services/context.js';
import { getForce } from '../services/organisation.js';
import { databaseHealth } from '../services/setup.js';
import { navigationFor } from './navigation.js';
import { installAuth } from './plugins/auth.js';
import { installErrorHandling } from './plugins/errors.js';
import { installParamsValidation, paramsOf } from './params.js';
import { installQueryValidation } from './query.js';
import { registerAccountRoutes } from './routes/account.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerApiRoutes } from './routes/api.js';
import { registerArmouryRoutes } from './routes/armoury.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerHomeRoutes } from './routes/home.js';
import { registerOfficerRoutes } from './routes/officers.js';
import { registerReportAmendRoutes } from './routes/reports/amend.js';
import { registerReportApiRoutes, reportOpenApi } from './routes/reports/api.js';
import { registerReportCheckRoutes } from './routes/reports/check-answers.js';
import { registerReportDiscardRoutes } from './routes/reports/discard.js';
import { registerIncidentRoutes } from './routes/reports/incidents.js';
import { registerReportListRoutes } from './routes/reports/list.js';
import { registerReferralRoutes } from './routes/reports/referrals.js';
import { registerReviewRoutes } from './routes/reports/reviews.js';
import { registerReportSectionRoutes } from './routes/reports/sections.js';
import { registerReportShowRoutes } from './routes/reports/show.js';
import { registerStatisticsRoutes } from './routes/statistics.js';
import { registerTeamRoutes } from './routes/teams.js';
import { registerTransparencyRoutes } from './routes/transparency.js';
import { registerReleaseRoutes } from './routes/releases.js';
import { registerTrainingApiRoutes, trainingOpenApi } from './routes/training/api.js';
import { registerShiftsApiRoutes, shiftsOpenApi } from './routes/shifts/api.js';
import { deviceOpenApi, registerDeviceApiRoutes } from './routes/devices/api.js';
import { registerDeviceModelRoutes } from './routes/devices/models.js';
import { registerDeviceCartridgeRoutes } from './routes/devices/cartridges.js';
import { registerFleetRoutes } from './routes/devices/fleet.js';
import { registerDevicePolicyRoutes } from './routes/devices/policy.js';
import { registerDeviceRegisterRoutes } from './routes/devices/register.js';
import { registerQuarantineRoutes } from './routes/devices/quarantine.js';
import { registerReconciliationRoutes } from './routes/devices/reconciliation.js';
import { deviceLogOpenApi, registerDeviceLogRoutes } from './routes/devices/logs.js';
import { registerTrainingAuthorityRoutes } from './routes/training/authority.js';
import { registerTrainingCalendarRoutes } from './routes/training/calendar.js';
import { registerTrainingCourseRoutes } from './routes/training/courses.js';
import { registerTrainingLapsingRoutes } from './routes/training/lapsing.js';
import { registerTrainingResultRoutes } from './routes/training/results.js';
import { registerTrainingSessionRoutes } from './routes/training/sessions.js';
import { registerUpliftRoutes } from './routes/uplift.js';
import { registerCoverageRoutes } from './routes/coverage.js';
import { registerBriefingRoutes } from './routes/briefing.js';
import { registerCrewingPolicyRoutes } from './routes/crewing-policy.js';
import './types.js';
import { createViews, NODE_MODULES, ROOT } from './views.js';

/** `/assets/*`: the file asked for, checked against the assets served. */
const assetParams = z.object({ '*': z.string() });

/** The parts of the OpenAPI document beside the officers API's, in the document's order. */
const OPENAPI_PARTS = [reportOpenApi, trainingOpenApi, deviceOpenApi, deviceLogOpenApi, shiftsOpenApi];

export interface AppOptions {
  services: Services;
  config: Config;
  logger?: boolean;
}

export async function buildApp({ services: svc, config, logger = false }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ? { level: config.logLevel } : false,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
  });

  installErrorHandling(app);
  await app.register(cookie);
  // Repeated fields (checkboxes) arrive as arrays; nothing is parsed into nested objects.
  await app.register(formbody, { parser: (body) => qs.parse(body) });
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(rateLimit, { global: false });
  installAuth(app, svc, config);
  installQueryValidation(app);
  installParamsValidation(app);

  // Static files: GOV.UK and MOJ Frontend assets, and Cedar's own.
  const assetRoots = [
    path.join(NODE_MODULES, 'govuk-frontend/dist/govuk/assets'),
    path.join(NODE_MODULES, 'govuk-frontend/dist/govuk'),
    path.join(NODE_MODULES, '@ministryofjustice/frontend/moj/assets'),
    path.join(NODE_MODULES, '@ministryofjustice/frontend/moj'),
    path.join(ROOT, 'public'),
  ];
  await app.register(staticFiles, { root: assetRoots, serve: false });
  const allowedAsset = /^(images|fonts|rebrand)\/[\w./-]+$|^(govuk-frontend|moj-frontend)\.min\.(css|js)(\.map)?$|^manifest\.json$|^cedar\.(css|js)$/;
  app.get('/assets/*', { config: { params: assetParams, permission: 'public', allowWithPendingPasswordChange: true } }, async (request, reply) => {
    const file = paramsOf(request, assetParams)['*'];
    if (!allowedAsset.test(file) || file.includes('..')) return reply.callNotFound();
    reply.header('cache-control', 'public, max-age=86400');
    return reply.sendFile(file);
  });

  const views = createViews();
  let forceName: string | undefined;
  app.decorateReply('render', function (this, view: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    const currentPath = request.url.split('?')[0] ?? '/';
    const html = views.render(view, {
      ...context,
      serviceName: 'Cedar',
      forceName: forceName ?? 'Cedar',
      identity: request.identity,
      me: request.identity?.account,
      // A page may say which menu item it belongs to (a reviewer reading a report is in Reviews).
      navigation: navigationFor(request.identity, typeof context.navPath === 'string' ? context.navPath : currentPath),
      csrfToken: request.csrfToken,
      cspNonce: (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script,
      currentPath,
    });
    return this.type('text/html; charset=utf-8').send(html);
  });
  // Public pages are the same for everyone: rendered once, with no nonce (their one inline
  // script is allowed by its hash instead: see routes/transparency.ts).
  app.decorate('renderPublic', (view: string, context: Record<string, unknown> = {}) =>
    views.render(view, { ...context, serviceName: 'Cedar', forceName: forceName ?? 'Cedar', navigation: [], csrfToken: '', currentPath: '' }),
  );
  app.addHook('onRequest', async () => {
    if (!forceName)
      forceName = await getForce(svc)
        .then((f) => f.name)
        .catch(() => undefined);
  });

  app.get('/healthz', { config: { permission: 'public', allowWithPendingPasswordChange: true } }, async (_request, reply) => {
    const health = await databaseHealth(svc);
    if (health.ok) return { status: 'ok', database: health.kind };
    return reply.code(503).send({ status: 'unavailable', database: health.kind });
  });

  registerHomeRoutes(app, svc);
  registerAccountRoutes(app, svc, config);
  registerOfficerRoutes(app, svc);
  registerTeamRoutes(app, svc);
  registerAdminRoutes(app, svc);
  registerAuditRoutes(app, svc);
  registerReportListRoutes(app, svc);
  registerReportShowRoutes(app, svc);
  registerReportSectionRoutes(app, svc);
  registerReportAmendRoutes(app, svc);
  registerReportCheckRoutes(app, svc);
  registerQuarantineRoutes(app, svc);
  registerDeviceLogRoutes(app, svc);
  registerReferralRoutes(app, svc);
  registerReportDiscardRoutes(app, svc);
  registerReviewRoutes(app, svc);
  registerIncidentRoutes(app, svc);
  registerReportApiRoutes(app, svc);
  registerStatisticsRoutes(app, svc);
  registerReleaseRoutes(app, svc);
  registerTrainingCalendarRoutes(app, svc);
  registerTrainingCourseRoutes(app, svc);
  registerTrainingSessionRoutes(app, svc);
  registerTrainingResultRoutes(app, svc);
  registerTrainingLapsingRoutes(app, svc);
  registerTrainingAuthorityRoutes(app, svc);
  registerTrainingApiRoutes(app, svc);
  registerDeviceApiRoutes(app, svc);
  await registerShiftsApiRoutes(app, svc);
  registerDeviceModelRoutes(app, svc);
  registerArmouryRoutes(app, svc);
  registerReconciliationRoutes(app, svc);
  registerDeviceRegisterRoutes(app, svc);
  registerDeviceCartridgeRoutes(app, svc);
  registerDevicePolicyRoutes(app, svc);
  registerFleetRoutes(app, svc);
  registerUpliftRoutes(app, svc);
  registerCoverageRoutes(app, svc);
  registerBriefingRoutes(app, svc);
  registerCrewingPolicyRoutes(app, svc);
  registerTransparencyRoutes(app, svc);
  registerApiRoutes(app, svc, OPENAPI_PARTS);
  return app;
}
