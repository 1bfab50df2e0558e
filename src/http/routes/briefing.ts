import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CrewRole } from '../../domain/crewing/proposal.js';
import { NotFoundError, ValidationError, type FieldError } from '../../domain/errors.js';
import { RANK_ABBREVIATIONS } from '../../domain/organisation.js';
import { can } from '../../domain/permissions.js';
import type { Services } from '../../services/context.js';
import { listTeams } from '../../services/organisation.js';
import { briefing, briefingPeriods, CrewsChangedError, londonClock, periodStart, saveCrews, type Briefing, type CrewsInput } from '../../services/crews.js';
import { escapeHtml } from '../escape.js';
import { errorView, field, formBody, type FormBody } from '../forms.js';
import { paramId, paramsOf } from '../params.js';
import { queryId, queryOf } from '../query.js';
import { formatDate, formatDateTime } from '../views.js';

/*
 * The shift briefing pages (issue 14), for a sergeant and their borough: `/briefing` lists the
 * shifts starting from yesterday to the day after tomorrow and opens on the one whose briefing is
 * on now (or the next); `/briefing/{borough}/{date}/{HHMM}` (London date and start time, `?team=`
 * for one team) shows who is on duty, their authority by model and whether it lapses before the
 * shift ends, the devices the store has free, and the crews — saved, or else proposed — as a form
 * the sergeant changes and saves. Once saved, each carrier has a button to the armoury's sign-out
 * gate with their collar number and device filled in.
 */

const periodParams = z.object({ borough: paramId, date: paramId, time: paramId });
const periodQuery = z.object({ team: queryId('team'), saved: z.enum(['1']).optional() });
const listQuery = z.object({ borough: queryId('borough') });

/** Spare crew slots the form offers beyond the crews shown, for the sergeant to make new ones. */
const SPARE_CREWS = 2;
const ROLE_ITEMS: { value: CrewRole; text: string }[] = [
  { value: 'carrier', text: 'Carrier' },
  { value: 'partner', text: 'Partner (does not carry)' },
  { value: 'solo', text: 'Alone (solo)' },
];

const hhmm = (time: string) => time.replace(':', '');
export const briefingHref = (p: { boroughId: string; teamId: string | null; startsAt: string }, date: string) =>
  `/briefing/${encodeURIComponent(p.boroughId)}/${date}/${hhmm(londonClock(p.startsAt))}${p.teamId ? `?team=${encodeURIComponent(p.teamId)}` : ''}`;

/** The period's start from the path: `HHMM` or `HH:MM`. A date or time that is no date or time is not found. */
function startFrom(date: string, time: string): string {
  const m = /^(\d{2}):?(\d{2})$/.exec(time);
  try {
    if (!m) throw new ValidationError([]);
    return periodStart(date, `${m[1]}:${m[2]}`);
  } catch (err) {
    if (err instanceof ValidationError) throw new NotFoundError('Shift starting', `${date} ${time}`);
    throw err;
  }
}

/** What the form holds: per crew slot a call sign; per officer a crew (slot number from 1, or ''), a role and a device. */
interface CrewForm {
  callSigns: string[];
  crewOf: Record<string, string>;
  roleOf: Record<string, string>;
  deviceOf: Record<string, string>;
}

function formFromBriefing(b: Briefing): CrewForm {
  const form: CrewForm = { callSigns: [], crewOf: {}, roleOf: {}, deviceOf: {} };
  b.crews.forEach((c, k) => {
    form.callSigns.push(c.callSign);
    for (const m of c.members) {
      form.crewOf[m.officerId] = String(k + 1);
      form.roleOf[m.officerId] = m.role;
      form.deviceOf[m.officerId] = m.deviceId ?? '';
    }
  });
  for (let i = 0; i < SPARE_CREWS; i++) form.callSigns.push('');
  return form;
}

function formFromBody(body: FormBody, b: Briefing): CrewForm {
  const slots = Math.min(Math.max(Number(field(body, 'slots')) || 0, 0), 200);
  const form: CrewForm = { callSigns: [], crewOf: {}, roleOf: {}, deviceOf: {} };
  for (let k = 0; k < slots; k++) form.callSigns.push(field(body, `callSign-${k}`));
  for (const o of b.officers) {
    const id = o.officer.id;
    form.crewOf[id] = field(body, `crew-${id}`);
    form.roleOf[id] = field(body, `role-${id}`);
    form.deviceOf[id] = field(body, `device-${id}`);
  }
  return form;
}

function crewsFromForm(form: CrewForm, b: Briefing): { crews: CrewsInput['crews']; errors: FieldError[] } {
  const crews: CrewsInput['crews'] = form.callSigns.map((callSign) => ({ callSign, members: [] }));
  const errors: FieldError[] = [];
  for (const o of b.officers) {
    const id = o.officer.id;
    const slot = form.crewOf[id] ?? '';
    if (slot === '') continue;
    const k = Number(slot) - 1;
    const crew = Number.isInteger(k) ? crews[k] : undefined;
    if (!crew) {
      errors.push({ field: `crew-${id}`, message: `Choose a crew for ${o.officer.collarNumber} from the list` });
      continue;
    }
    const role = form.roleOf[id] as CrewRole;
    if (!ROLE_ITEMS.some((r) => r.value === role)) {
      errors.push({ field: `role-${id}`, message: `Choose whether ${o.officer.collarNumber} carries, partners a carrier, or goes alone` });
      continue;
    }
    crew.members.push({ officerId: id, role, deviceId: form.deviceOf[id] || null });
  }
  return { crews, errors };
}

/**
 * A select's options written here rather than by a template loop: the page has three selects per
 * officer on duty (a night's team is ~1,000 options), and Nunjucks' loop costs ~4 ms a page more.
 */
const optionHtml = (value: string, text: string, selected: boolean) => `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(text)}</option>`;
const optionsHtml = (items: readonly { value: string; text: string; selected: boolean }[]) => items.map((i) => optionHtml(i.value, i.text, i.selected)).join('');

const rankShort = (r: string) => RANK_ABBREVIATIONS[r as keyof typeof RANK_ABBREVIATIONS] ?? r;

function briefingView(b: Briefing, form: CrewForm, canSave: boolean) {
  const serials = new Map<string, { serial: string; model: string }>();
  for (const d of b.freeDevices) serials.set(d.id, { serial: d.serial, model: d.model });
  for (const o of b.officers) if (o.holds) serials.set(o.holds.deviceId, { serial: o.holds.serial, model: o.holds.model });
  // The crew choices are the same for every officer but the one selected: written once.
  const crewChoices = [{ value: '', text: 'Not in a crew' }, ...form.callSigns.map((s, k) => ({ value: String(k + 1), text: `Crew ${k + 1}${s ? ` (${s})` : ''}` }))].map((c) => ({
    value: c.value,
    html: [optionHtml(c.value, c.text, false), optionHtml(c.value, c.text, true)] as const,
  }));
  const crewOptions = (officerId: string) => crewChoices.map((c) => c.html[c.value === (form.crewOf[officerId] ?? '') ? 1 : 0]).join('');
  const officers = b.officers.map((o) => {
    const id = o.officer.id;
    const devices = [
      ...(o.holds ? [{ id: o.holds.deviceId, serial: o.holds.serial, model: o.holds.model, held: true }] : []),
      ...b.freeDevices.filter((d) => o.authorisedModels.includes(d.model)).map((d) => ({ ...d, held: false })),
    ];
    const chosen = form.deviceOf[id] ?? '';
    const deviceItems = [
      { value: '', text: 'No device', selected: chosen === '' },
      ...devices.map((d) => ({ value: d.id, text: `${d.serial} (${d.model})${d.held ? ', signed out to them' : ''}`, selected: chosen === d.id })),
    ];
    // A device chosen that they may not carry (kept from the form) stays visible, so the error names something on the page.
    if (chosen && !devices.some((d) => d.id === chosen)) deviceItems.push({ value: chosen, text: serials.get(chosen)?.serial ?? 'A device not in this store', selected: true });
    return {
      id,
      name: `${rankShort(o.officer.rank)} ${o.officer.firstName} ${o.officer.lastName}`,
      rank: o.officer.rank,
      collar: o.officer.collarNumber,
      endsAt: o.endsAt,
      authority: o.authorities.length ? o.authorities.map((a) => (a.authorised ? `${a.model}: authorised until ${formatDate(a.expiresOn)}` : `${a.model}: not authorised`)) : ['Not trained'],
      lapses: o.lapses,
      solo: o.mayDeployAlone,
      holds: o.holds,
      crewedElsewhere: o.crewedElsewhere,
      crewOptions: crewOptions(id),
      roleOptions: optionsHtml(ROLE_ITEMS.map((r) => ({ ...r, selected: (form.roleOf[id] || 'partner') === r.value }))),
      deviceOptions: optionsHtml(deviceItems),
    };
  });
  const storeKey = b.team && b.team.boroughId === null ? `team:${b.team.id}` : `borough:${b.borough.id}`;
  const crews = form.callSigns.map((callSign, k) => {
    const members = b.officers.filter((o) => form.crewOf[o.officer.id] === String(k + 1));
    // The tags follow the form as shown (saved, proposed, or as sent back with errors).
    const carriers = members.filter((o) => ['carrier', 'solo'].includes(form.roleOf[o.officer.id] ?? '') && serials.has(form.deviceOf[o.officer.id] ?? ''));
    const alone = members.length === 1 && form.roleOf[members[0]!.officer.id] === 'solo';
    return {
      index: k,
      number: k + 1,
      callSign,
      taser: carriers.length > 0 && (alone || carriers.length >= b.policy.carriersPerCrew),
      lapses: carriers.some((o) => o.lapses),
      members: members.map((o) => {
        const role = form.roleOf[o.officer.id] ?? 'partner';
        const deviceId = form.deviceOf[o.officer.id] || null;
        const device = deviceId ? serials.get(deviceId) : undefined;
        const carries = (role === 'carrier' || role === 'solo') && device !== undefined;
        return {
          text: `${rankShort(o.officer.rank)} ${o.officer.firstName} ${o.officer.lastName} (${o.officer.collarNumber}), ${carries ? `carries ${device!.serial}` : role === 'solo' ? 'alone, no device' : 'partner'}`,
          // The gate link, once the crews are saved and the device is not yet signed out to them.
          gate:
            b.saved && carries && o.holds?.deviceId !== deviceId
              ? `/armoury/officer?store=${encodeURIComponent(storeKey)}&collar=${encodeURIComponent(o.officer.collarNumber)}&device=${encodeURIComponent(device!.serial)}&shiftEnd=${encodeURIComponent(londonClock(o.endsAt).replace(':', ''))}`
              : null,
          signedOut: carries && o.holds?.deviceId === deviceId,
          collar: o.officer.collarNumber,
          serial: device?.serial ?? null,
        };
      }),
    };
  });
  return {
    officers,
    crews,
    canSave,
    slots: form.callSigns.length,
    lapsingCarriers: crews.filter((c) => c.lapses).length,
    freeDevices: b.freeDevices,
    revision: b.revision === null ? '' : String(b.revision),
  };
}

export function registerBriefingRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/briefing', { config: { permission: 'read:shift', query: listQuery } }, async (request, reply) => {
    const q = queryOf(request, listQuery);
    const { periods, current, boroughs } = await briefingPeriods(svc, request.scope, q.borough);
    const names = new Map(boroughs.map((b) => [b.id, b.name]));
    const rows = periods.map((p) => ({
      href: briefingHref(p, p.londonDate),
      borough: names.get(p.boroughId) ?? '',
      startsAt: p.startsAt,
      endsAt: p.endsAt,
      officers: p.officers,
      current: current !== null && p.boroughId === current.boroughId && p.teamId === current.teamId && p.startsAt === current.startsAt,
      teamId: p.teamId,
    }));
    const teamNames = new Map<string, string>();
    // Names only: a shift in the borough may be a force-wide unit's.
    for (const t of await listTeams(svc, { all: true })) teamNames.set(t.id, t.name);
    const named = rows.map((r) => ({ ...r, team: r.teamId ? (teamNames.get(r.teamId) ?? '') : 'Whole borough' }));
    return reply.render('pages/briefing/index.njk', {
      title: 'Shift briefing',
      rows: named,
      current: named.find((r) => r.current) ?? null,
      boroughItems: [{ value: '', text: 'All your boroughs', selected: !q.borough }, ...boroughs.map((b) => ({ value: b.id, text: b.name, selected: q.borough === b.id }))],
      manyBoroughs: boroughs.length > 1 || Boolean(q.borough),
    });
  });

  type View = ReturnType<typeof briefingView> & { crewsForm: string };
  /** The page's view and its crews form, rendered (the form is the page's bulk: ~1,000 options for a night's team). */
  const viewOf = (b: Briefing, form: CrewForm, canSave: boolean, ev: ReturnType<typeof errorView>): View => {
    const view = briefingView(b, form, canSave);
    return { ...view, crewsForm: app.renderPublic('pages/briefing/crews-form.njk', { b, ...view, ...ev }) };
  };
  /**
   * A briefing shown as worked out (no errors, nothing sent back) is kept rendered per briefing
   * and per whether the viewer may save: a briefing is shared until its data changes
   * (services/crews.ts), so a team opening the page at the start of a shift renders it once.
   */
  const shown = new WeakMap<Briefing, Map<boolean, View>>();
  const shownView = (b: Briefing, canSave: boolean): View => {
    let views = shown.get(b);
    if (!views) shown.set(b, (views = new Map()));
    let view = views.get(canSave);
    if (view === undefined) views.set(canSave, (view = viewOf(b, formFromBriefing(b), canSave, errorView([]))));
    return view;
  };

  const render = (request: FastifyRequest, reply: FastifyReply, b: Briefing, form: CrewForm | null, extra: { errors?: FieldError[]; status?: number; notice?: string; stale?: string } = {}) => {
    const canSave = can(request.identity!.account.roles, 'create:shift');
    const ev = errorView(extra.errors ?? []);
    // null: the briefing as worked out, with nothing sent back.
    const view = form === null && !extra.errors?.length ? shownView(b, canSave) : viewOf(b, form ?? formFromBriefing(b), canSave, ev);
    const when = `${formatDateTime(b.period.startsAt)} to ${formatDateTime(b.period.endsAt)}`;
    return reply.code(extra.status ?? 200).render('pages/briefing/show.njk', {
      title: `Briefing: ${b.borough.name}${b.team ? `, ${b.team.name}` : ''}`,
      navPath: '/briefing',
      backLink: '/briefing',
      b,
      when,
      action: briefingHref(b.period, b.period.key.date),
      teamId: b.team?.id ?? '',
      ...view,
      ...ev,
      notice: extra.notice,
      stale: extra.stale,
    });
  };

  app.get('/briefing/:borough/:date/:time', { config: { permission: 'read:shift', params: periodParams, query: periodQuery } }, async (request, reply) => {
    const p = paramsOf(request, periodParams);
    const q = queryOf(request, periodQuery);
    const b = await briefing(svc, request.scope, { boroughId: p.borough, teamId: q.team ?? null, startsAt: startFrom(p.date, p.time) });
    return render(request, reply, b, null, {
      notice: q.saved ? `Crews saved: ${b.crews.length} crews, ${b.taserCrews} with a Taser. Sign out each carrier’s device below.` : undefined,
    });
  });

  app.post('/briefing/:borough/:date/:time', { config: { permission: 'create:shift', params: periodParams } }, async (request, reply) => {
    const p = paramsOf(request, periodParams);
    const body = formBody(request);
    const teamId = field(body, 'team') || null;
    const startsAt = startFrom(p.date, p.time);
    const b = await briefing(svc, request.scope, { boroughId: p.borough, teamId, startsAt });
    const form = formFromBody(body, b);
    const { crews, errors } = crewsFromForm(form, b);
    if (errors.length) return render(request, reply, b, form, { errors, status: 400 });
    const revisionText = field(body, 'revision');
    // A revision that is no whole number is stale: it never matches.
    const revision = revisionText === '' ? null : /^\d{1,9}$/.test(revisionText) ? Number(revisionText) : -1;
    try {
      await saveCrews(svc, request.actor(), request.scope, { boroughId: b.borough.id, teamId, startsAt, revision, crews });
    } catch (err) {
      if (err instanceof CrewsChangedError) {
        const fresh = await briefing(svc, request.scope, { boroughId: b.borough.id, teamId, startsAt });
        return render(request, reply, fresh, formFromBriefing(fresh), { status: 409, stale: err.message, errors: [{ field: 'crews', message: err.message }] });
      }
      if (err instanceof ValidationError) return render(request, reply, b, form, { errors: err.errors, status: 400 });
      throw err;
    }
    const href = briefingHref(b.period, b.period.key.date);
    return reply.redirect(`${href}${href.includes('?') ? '&' : '?'}saved=1`, 303);
  });
}
