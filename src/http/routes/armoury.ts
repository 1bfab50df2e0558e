import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CARTRIDGE_RETURNS, type CartridgeReturn } from '../../domain/devices/cartridges.js';
import { GateRefusedError, type GateReason, type GateReasonCode } from '../../domain/devices/gate.js';
import { DEVICE_STATE_LABELS, type DeviceState } from '../../domain/devices/lifecycle.js';
import { armouryInScope, type DeviceIssue } from '../../domain/devices/register.js';
import { ValidationError, type FieldError } from '../../domain/errors.js';
import { RANK_ABBREVIATIONS, type Rank } from '../../domain/organisation.js';
import { scopeFor } from '../../domain/permissions.js';
import { armouryStores, chooseStore, mayOverrideGate, officerAtCounter, returnPage, shiftEndFrom, storeOverview, type OfficerAtCounter, type ReturnPage, type Store } from '../../services/armoury.js';
import type { Services } from '../../services/context.js';
import { gatePolicy, getDevice, getIssue, issueDevice, returnDevice } from '../../services/devices.js';
import { errorView, field, fieldList, formBody, paginationView, type FormBody } from '../forms.js';
import { idParams, paramsOf } from '../params.js';
import { queryId, queryOf, queryPage, queryText } from '../query.js';
import { authorityView, readableDates } from '../training-view.js';
import { formatDateTime } from '../views.js';

/*
 * The armoury pages (issue 12): the daily sign-out at the counter. A store's page (what is out,
 * overdue first, and what it holds), the two steps of issuing (find the officer by collar
 * number, then the device, cartridges and shift end; a refusal lists every reason of the gate
 * and, to an inspector, offers the override policy allows), and taking a device back.
 */

const PAGE_SIZE = 50;

const storeQuery = z.object({ store: queryId('store'), page: queryPage, issued: queryId('issued'), returned: queryId('returned') });
/** `device` and `shiftEnd` pre-fill the issue form (the briefing page's "Sign out device" link). */
const officerQuery = z.object({ store: queryId('store'), collar: queryText('collar', 40), device: queryText('device', 40), shiftEnd: queryText('shiftEnd', 5) });

const GATE_FIELDS: Record<GateReasonCode, string> = {
  not_authorised: 'officer-details',
  suspended: 'officer-details',
  officer_holds_device: 'officer-details',
  device_not_available: 'deviceSerial',
  wrong_armoury: 'deviceSerial',
  cartridge_not_available: 'cartridges',
  cartridge_expired: 'cartridges',
  cartridge_incompatible: 'cartridges',
  too_many_cartridges: 'cartridges',
};

const OVERRIDE_LABELS: Partial<Record<GateReasonCode, string>> = {
  wrong_armoury: 'The device belongs to another armoury',
  too_many_cartridges: 'More cartridges than the model’s bays and spares',
  cartridge_expired: 'An expired cartridge',
};

/** The tag colour of a held device's state on a store's page. */
const HELD_TAG_CLASSES: Partial<Record<DeviceState, string>> = { in_store: 'govuk-tag--green', in_repair: 'govuk-tag--yellow', quarantined: 'govuk-tag--orange' };

const OUTCOME_LABELS: Record<CartridgeReturn, string> = { in_store: 'Back in store', expended: 'Expended', lost: 'Lost' };

const rankShort = (rank: string) => RANK_ABBREVIATIONS[rank as Rank] ?? rank;
/** "PC 501LX Asha Patel": who holds a device. */
const holder = (i: DeviceIssue) => `${rankShort(i.officerRank)} ${i.collarNumber} ${i.officerName}`;
const roles = (request: FastifyRequest) => request.identity!.account.roles;
const storeHref = (store: Store, extra = '') => `/armoury?store=${encodeURIComponent(store.key)}${extra}`;

/** Cartridge serials as a scanner or a person types them: one a line, or separated by spaces, commas or semicolons. */
export const cartridgeSerials = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);

interface IssueForm {
  deviceSerial: string;
  cartridges: string;
  shiftEnd: string;
  overrideCodes: string[];
  overrideReason: string;
}

const emptyForm: IssueForm = { deviceSerial: '', cartridges: '', shiftEnd: '', overrideCodes: [], overrideReason: '' };

export function registerArmouryRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/armoury', { config: { permission: 'read:device', query: storeQuery } }, async (request, reply) => {
    const q = queryOf(request, storeQuery);
    const { store, stores } = await chooseStore(svc, request.scope, q.store);
    const page = { page: q.page ?? 1, pageSize: PAGE_SIZE };
    const overview = await storeOverview(svc, store, page);
    const issueScope = scopeFor(roles(request), 'create:device');
    const canIssue = issueScope !== null && armouryInScope(issueScope, store.armoury);
    let notice: string | undefined;
    if (q.issued || q.returned) {
      const issue = await getIssue(svc, request.scope, (q.issued ?? q.returned)!).catch(() => undefined);
      if (issue) {
        const who = holder(issue);
        notice = q.issued ? `Device ${issue.deviceSerial} issued to ${who}` : `Device ${issue.deviceSerial} returned by ${who}`;
      }
    }
    const out = overview.out.map((i) => ({
      id: i.id,
      deviceId: i.deviceId,
      serial: i.deviceSerial,
      model: i.modelName,
      officer: holder(i),
      issuedAt: i.issuedAt,
      shiftEndsAt: i.shiftEndsAt,
      cartridges: i.cartridges.map((c) => c.serial).join(', '),
      overdue: i.overdue,
    }));
    return reply.render('pages/armoury/index.njk', {
      title: store.name,
      store,
      storeItems: stores.map((s) => ({ value: s.key, text: s.name, selected: s.key === store.key })),
      canIssue,
      overdue: out.filter((i) => i.overdue),
      out: out.filter((i) => !i.overdue),
      held: overview.held.rows.map((d) => ({ ...d, stateLabel: DEVICE_STATE_LABELS[d.state], tagClass: HELD_TAG_CLASSES[d.state] ?? 'govuk-tag--orange' })),
      heldTotal: overview.held.total,
      heldPage: overview.held.page,
      heldPages: overview.held.pages,
      pagination: paginationView('/armoury', { store: store.key }, overview.held.page, overview.held.pages),
      counts: {
        out: overview.out.length,
        overdue: overview.overdue,
        inStore: overview.counts.in_store ?? 0,
        inRepair: overview.counts.in_repair ?? 0,
        quarantined: overview.counts.quarantined ?? 0,
      },
      notice,
    });
  });

  const renderIssue = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: { store: Store; collar: string; found: OfficerAtCounter | undefined; form: IssueForm; errors?: FieldError[]; refusal?: readonly GateReason[]; status?: number },
  ) => {
    let override: { items: { value: string; text: string; checked: boolean }[] } | null = null;
    let inspectorMayOverride = false;
    if (ctx.refusal?.length) {
      const policy = await gatePolicy(svc);
      const allowed = new Set<string>(policy.overridable);
      inspectorMayOverride = ctx.refusal.every((r) => allowed.has(r.code));
      if (inspectorMayOverride && (await mayOverrideGate(svc, request.actor()))) {
        const codes = [...new Set(ctx.refusal.map((r) => r.code))];
        override = { items: codes.map((c) => ({ value: c, text: OVERRIDE_LABELS[c] ?? c, checked: ctx.form.overrideCodes.includes(c) })) };
      }
    }
    const errors = [...(ctx.errors ?? []), ...(ctx.refusal ?? []).map((r) => ({ field: GATE_FIELDS[r.code], message: readableDates(r.message) }))];
    const ev = errorView(errors, { collar: 'collar', 'override.reason': 'overrideReason', 'override.codes': 'overrideCodes' });
    const a = ctx.found && authorityView(ctx.found.authority, { sessionLinks: false });
    return reply.code(ctx.status ?? (errors.length ? 400 : 200)).render('pages/armoury/issue.njk', {
      title: ctx.found ? `Issue a device to ${rankShort(ctx.found.officer.rank)} ${ctx.found.officer.collarNumber}` : 'Find the officer',
      navPath: '/armoury',
      backLink: storeHref(ctx.store),
      store: ctx.store,
      collar: ctx.collar,
      officer: ctx.found?.officer,
      holds: ctx.found?.holds,
      authority: a,
      form: ctx.form,
      refused: Boolean(ctx.refusal?.length),
      inspectorMayOverride,
      override,
      ...ev,
    });
  };

  app.get('/armoury/officer', { config: { permission: 'create:device', query: officerQuery } }, async (request, reply) => {
    const q = queryOf(request, officerQuery);
    const { store } = await chooseStore(svc, request.scope, q.store);
    const collar = (q.collar ?? '').trim().toUpperCase();
    if (q.collar === undefined) return renderIssue(request, reply, { store, collar, found: undefined, form: emptyForm });
    try {
      const found = await officerAtCounter(svc, collar);
      if (!found) return renderIssue(request, reply, { store, collar, found, form: emptyForm, errors: [{ field: 'collar', message: `No officer has the collar number ${collar}` }], status: 200 });
      // The briefing page's link fills in the device and the shift's end (HHMM or HH:MM).
      const end = /^(\d{2}):?(\d{2})$/.exec(q.shiftEnd ?? '');
      const form: IssueForm = { ...emptyForm, deviceSerial: (q.device ?? '').toUpperCase(), shiftEnd: end ? `${end[1]}:${end[2]}` : '' };
      return renderIssue(request, reply, { store, collar, found, form });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return renderIssue(request, reply, { store, collar, found: undefined, form: emptyForm, errors: err.errors, status: 200 });
    }
  });

  app.post('/armoury/issue', { config: { permission: 'create:device' } }, async (request, reply) => {
    const body = formBody(request);
    const { store } = await chooseStore(svc, request.scope, field(body, 'store') || undefined);
    const collar = field(body, 'collar').trim().toUpperCase();
    const form: IssueForm = {
      deviceSerial: field(body, 'deviceSerial').trim().toUpperCase(),
      cartridges: field(body, 'cartridges'),
      shiftEnd: field(body, 'shiftEnd').trim(),
      overrideCodes: fieldList(body, 'overrideCodes'),
      overrideReason: field(body, 'overrideReason').trim(),
    };
    const found = collar ? await officerAtCounter(svc, collar).catch(() => undefined) : undefined;
    if (!found)
      return renderIssue(request, reply, {
        store,
        collar,
        found,
        form: emptyForm,
        errors: [{ field: 'collar', message: collar ? `No officer has the collar number ${collar}` : 'Enter the officer’s collar number' }],
      });
    const errors: FieldError[] = [];
    const cartridges = cartridgeSerials(form.cartridges);
    if (cartridges.length > 12) errors.push({ field: 'cartridges', message: 'Enter at most 12 cartridge serials' });
    if (!form.deviceSerial) errors.push({ field: 'deviceSerial', message: 'Enter the device’s serial number, or scan it' });
    else if (form.deviceSerial.length > 40) errors.push({ field: 'deviceSerial', message: 'A serial number has at most 40 characters' });
    let shiftEndsAt: string | null = null;
    try {
      shiftEndsAt = shiftEndFrom(svc, form.shiftEnd);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      errors.push(...err.errors);
    }
    const overriding = form.overrideCodes.length > 0 || form.overrideReason !== '';
    if (overriding && form.overrideCodes.length === 0) errors.push({ field: 'override.codes', message: 'Select the reasons you override' });
    if (errors.length) return renderIssue(request, reply, { store, collar, found, form, errors });
    try {
      const issue = await issueDevice(svc, request.actor(), request.scope, {
        deviceSerial: form.deviceSerial,
        collarNumber: collar,
        cartridges,
        armoury: store.armoury,
        shiftEndsAt,
        override: overriding ? { codes: form.overrideCodes, reason: form.overrideReason } : null,
      });
      return reply.redirect(storeHref(store, `&issued=${encodeURIComponent(issue.id)}`), 303);
    } catch (err) {
      if (err instanceof GateRefusedError) return renderIssue(request, reply, { store, collar, found, form, refusal: err.reasons, status: 409 });
      if (err instanceof ValidationError) return renderIssue(request, reply, { store, collar, found, form, errors: err.errors });
      throw err;
    }
  });

  const renderReturn = async (reply: FastifyReply, ctx: { page: ReturnPage; backHref: string; chosen: { outcome: string; reportId: string }[]; errors?: FieldError[] }, store: Store | undefined) => {
    const { issue, reports } = ctx.page;
    const ev = errorView(ctx.errors ?? [], Object.fromEntries(issue.cartridges.map((_, i) => [`cartridges.${i}.outcome`, `outcome-${i}`])));
    const reportLabel = (r: (typeof reports)[number]) =>
      `${r.incidentReference ?? 'Report without an incident reference yet'}${r.occurredAt ? `, ${formatDateTime(r.occurredAt)}` : ''}${r.deviceSerial ? `, Taser ${r.deviceSerial}` : ''}${r.status === 'draft' ? ' (draft)' : ''}`;
    const rows = issue.cartridges.map((c, i) => {
      const chosen = ctx.chosen[i] ?? { outcome: '', reportId: '' };
      // The report naming this cartridge, if the officer has written it: chosen unless another was.
      const naming = reports.find((r) => r.cartridgeNumbers.includes(c.serial));
      const selected = chosen.reportId || naming?.id || '';
      return {
        index: i,
        serial: c.serial,
        type: c.type,
        outcome: chosen.outcome,
        error: ev.errors[`cartridges.${i}.outcome`],
        reportError: ev.errors[`cartridges.${i}.reportId`],
        reportItems: [{ value: '', text: 'Not known yet', selected: selected === '' }, ...reports.map((r) => ({ value: r.id, text: reportLabel(r), selected: selected === r.id }))],
      };
    });
    return reply.code(ctx.errors?.length ? 400 : 200).render('pages/armoury/return.njk', {
      title: `Return device ${issue.deviceSerial}`,
      navPath: '/armoury',
      backLink: ctx.backHref,
      issue,
      officer: holder(issue),
      rows,
      outcomes: CARTRIDGE_RETURNS.map((o) => ({ value: o, text: OUTCOME_LABELS[o] })),
      reportsFound: reports.length,
      store,
      ...ev,
    });
  };

  const storeOfIssue = async (request: FastifyRequest, page: ReturnPage): Promise<Store | undefined> => {
    // The store whose page lists it: the device's home armoury, among the stores this person works at.
    const [stores, d] = await Promise.all([armouryStores(svc, request.scope), getDevice(svc, page.issue.deviceId)]);
    return stores.find((s) => s.armoury.boroughId === d.armoury.boroughId && s.armoury.teamId === d.armoury.teamId);
  };

  app.get('/armoury/issues/:id/return', { config: { permission: 'create:device', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const page = await returnPage(svc, request.scope, id);
    const store = await storeOfIssue(request, page);
    if (page.issue.returnedAt) return reply.redirect(store ? storeHref(store) : '/armoury', 303);
    return renderReturn(reply, { page, backHref: store ? storeHref(store) : '/armoury', chosen: [] }, store);
  });

  app.post('/armoury/issues/:id/return', { config: { permission: 'create:device', params: idParams } }, async (request, reply) => {
    const { id } = paramsOf(request, idParams);
    const body: FormBody = formBody(request);
    const page = await returnPage(svc, request.scope, id);
    const store = await storeOfIssue(request, page);
    const backHref = store ? storeHref(store) : '/armoury';
    const chosen = page.issue.cartridges.map((_, i) => ({ outcome: field(body, `outcome-${i}`), reportId: field(body, `report-${i}`) }));
    const errors: FieldError[] = [];
    const known = new Set(page.reports.map((r) => r.id));
    chosen.forEach((c, i) => {
      const serial = page.issue.cartridges[i]!.serial;
      if (!(CARTRIDGE_RETURNS as readonly string[]).includes(c.outcome))
        errors.push({ field: `cartridges.${i}.outcome`, message: `Say what became of cartridge ${serial}: back in store, expended or lost` });
      else if (c.outcome === 'expended' && c.reportId && !known.has(c.reportId))
        errors.push({ field: `cartridges.${i}.reportId`, message: `Cartridge ${serial}: choose one of the officer’s reports from the list, or “Not known yet”` });
    });
    if (errors.length) return renderReturn(reply, { page, backHref, chosen, errors }, store);
    try {
      await returnDevice(svc, request.actor(), request.scope, id, {
        cartridges: page.issue.cartridges.map((c, i) => ({ serial: c.serial, outcome: chosen[i]!.outcome, reportId: chosen[i]!.outcome === 'expended' ? chosen[i]!.reportId || null : null })),
      });
    } catch (err) {
      if (err instanceof ValidationError) return renderReturn(reply, { page, backHref, chosen, errors: err.errors }, store);
      throw err;
    }
    return reply.redirect(`${backHref}${backHref.includes('?') ? '&' : '?'}returned=${encodeURIComponent(id)}`, 303);
  });
}
