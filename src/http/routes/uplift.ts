import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../domain/permissions.js';
import { rate } from '../../domain/stats/counting.js';
import type { PlannerMonth, Projection } from '../../domain/training/planner.js';
import { monthFromNumber, monthLabel, monthNumber, monthOfDay, shortMonthLabel } from '../../domain/calendar.js';
import { ASSUMPTION_FIELDS, DEFAULT_ASSUMPTIONS, type UpliftAssumptions } from '../../domain/training/uplift.js';
import { ValidationError, WorkflowError, type FieldError } from '../../domain/errors.js';
import type { Services } from '../../services/context.js';
import { coverageProjection, getPlan, monthAfter, planUplift, progress, ROSTER_WEEKS, savePlan, type CoverageProjection, type UpliftPlan, type UpliftPlanning } from '../../services/uplift.js';
import { HOURS_IN_WEEK, hourOfWeekLabel } from '../../domain/crewing/projection.js';
import { lineChart, type LineSeries } from '../charts.js';
import { dateFromParts, dateItems, dateParts, errorView, field, formBody, noticeFrom, type FormBody } from '../forms.js';
import { formatDate, formatNumber, plural } from '../views.js';
import { z } from 'zod';
import { queryNotice, queryText } from '../query.js';

/*
 * The uplift pages (issue 5): progress against the plan (/uplift), the planner's projection
 * with assumptions to try (/uplift/planner), and the plan's targets and assumptions
 * (/uplift/settings, programme lead). Charts are SVG drawn on the server, each with its table.
 */

type Query = Record<string, string | undefined>;

const n = formatNumber;
const signed = (x: number) => (x > 0 ? `+${n(x)}` : x < 0 ? `−${n(-x)}` : '0');
const percent = (part: number, whole: number) => rate(part, whole).percent;

/** The questions of the assumptions, in the order asked, with the words for them. */
const ASSUMPTION_QUESTIONS: { name: keyof UpliftAssumptions; label: string; hint?: string; suffix?: string; width: number }[] = [
  { name: 'trainers', label: 'Trainers', hint: 'Officers who run CED courses', width: 4 },
  { name: 'trainersPerSession', label: 'Trainers a course needs', width: 3 },
  { name: 'trainingDaysPerTrainerPerMonth', label: 'Days a trainer trains in a month', width: 3 },
  { name: 'initialSeatsPerSession', label: 'Places on an initial course', width: 3 },
  { name: 'refresherSeatsPerSession', label: 'Places on a refresher', width: 3 },
  { name: 'initialCourseDays', label: 'Length of the initial course', suffix: 'days', width: 3 },
  { name: 'refresherCourseDays', label: 'Length of the refresher', suffix: 'days', width: 3 },
  { name: 'initialPassRatePercent', label: 'Initial course pass rate', suffix: '%', width: 4 },
  { name: 'refresherPassRatePercent', label: 'Refresher pass rate', suffix: '%', width: 4 },
  { name: 'annualAttritionPercent', label: 'Attrition a year', hint: 'Authorised officers who leave or stop carrying in a year', suffix: '%', width: 4 },
  { name: 'plannedInitialSessionsPerMonth', label: 'Initial courses planned a month', width: 4 },
];

/** Assumptions tried on the planner page (the course lengths are the plan's). */
const TRY_FIELDS: (keyof UpliftAssumptions)[] = [
  'trainers',
  'trainersPerSession',
  'trainingDaysPerTrainerPerMonth',
  'initialSeatsPerSession',
  'refresherSeatsPerSession',
  'initialPassRatePercent',
  'refresherPassRatePercent',
  'annualAttritionPercent',
  'plannedInitialSessionsPerMonth',
];

const TARGET_QUESTIONS: { name: string; label: string; hint?: string; suffix?: string; width: number }[] = [
  { name: 'baselineAuthorised', label: 'Officers authorised when the plan starts', hint: 'The baseline the plan counts from', width: 5 },
  { name: 'targetAuthorised', label: 'Authorised officers wanted by the deadline', hint: 'The baseline plus the officers the uplift adds', width: 5 },
  { name: 'targetDevices', label: 'Devices wanted by the deadline', width: 5 },
  { name: 'boroughMinimum', label: 'Minimum authorised officers in each borough', width: 4 },
  { name: 'emergencyResponsePercent', label: 'Share of newly authorised officers from emergency response teams', suffix: '%', width: 3 },
];

const tag = (text: string, colour: 'green' | 'red' | 'yellow' | 'grey') => ({ text, classes: `govuk-tag--${colour}` });

// Progress -------------------------------------------------------------------------------------

function progressView(plan: UpliftPlan | null, p: Awaited<ReturnType<typeof progress>>['progress'], scoped: boolean) {
  // The chart runs from the trend's first month to the deadline (or to this month without a plan).
  const firstMonth = p.trend[0]!.month;
  const lastMonth = plan ? [monthOfDay(plan.deadline), p.trend[p.trend.length - 1]!.month].sort()[1]! : p.trend[p.trend.length - 1]!.month;
  const months = Array.from({ length: monthNumber(lastMonth) - monthNumber(firstMonth) + 1 }, (_, i) => monthFromNumber(monthNumber(firstMonth) + i));
  const actual = new Map(p.trend.map((t) => [t.month, t]));
  const planned = new Map(p.trajectory.map((t) => [t.month, t.planned]));
  const series: LineSeries[] = [{ name: 'Authorised officers', values: months.map((m) => actual.get(m)?.authorised ?? null) }];
  if (plan)
    series.push({
      name: `Planned: ${n(plan.baselineAuthorised)} to ${n(plan.targetAuthorised)} by ${formatDate(plan.deadline)}`,
      values: months.map((m) => planned.get(m) ?? null),
      colour: '#f47738',
      dashed: true,
    });
  const chart = lineChart('Authorised officers at the end of each month against the plan', months.map(shortMonthLabel), series);
  const trendRows = months.map((m) => {
    const a = actual.get(m);
    const pl = planned.get(m);
    const label = a && a.on === p.on ? `${monthLabel(m)} (today, ${formatDate(p.on)})` : monthLabel(m);
    return [label, a ? n(a.authorised) : '', pl === undefined ? '' : n(pl), a && pl !== undefined ? signed(a.authorised - pl) : ''];
  });
  // The months so far in one table; the plan's months to come in a second, folded away.
  const past = trendRows.slice(0, p.trend.length);
  const future = trendRows.slice(p.trend.length).map((r) => [r[0]!, r[2]!]);

  const boroughs = p.boroughs.map((b) => ({
    name: b.name,
    officers: n(b.officers),
    authorised: n(b.authorised),
    share: percent(b.authorised, b.officers),
    minimum: b.minimum === null ? (plan ? 'Not set for force-wide units' : '') : n(b.minimum),
    status: b.shortfall === null ? null : b.shortfall > 0 ? tag(`${plural(b.shortfall, 'officer')} short`, 'red') : tag('Minimum met', 'green'),
  }));
  const belowMinimum = p.boroughs.filter((b) => b.shortfall !== null && b.shortfall > 0).length;
  // A borough commander sees the team types their borough has.
  const teamTypes = p.teamTypes.filter((t) => !scoped || t.officers > 0).map((t) => [t.label, n(t.officers), n(t.authorised), percent(t.authorised, t.officers), plan ? n(t.newlyAuthorised) : '']);
  const er = p.newlyAuthorised;
  const erTag = er.percent === null || er.targetPercent === null ? null : er.percent >= er.targetPercent ? tag('On target', 'green') : tag('Below target', 'yellow');
  return {
    chart,
    trendTable: { caption: 'Authorised officers at the end of each month, and the plan', header: ['Month', 'Authorised', 'Planned', 'Against the plan'], rows: past },
    planTable: future.length ? { caption: 'The plan for the months to come: authorised officers at the end of each month', header: ['Month', 'Planned'], rows: future } : null,
    boroughs,
    belowMinimum,
    teamTypes: {
      caption: scoped ? 'Officers and authority by team type, in your borough' : 'Officers and authority by team type',
      header: ['Team type', 'Officers', 'Authorised', 'Share authorised', plan ? 'Newly authorised since the plan started' : ''].filter(Boolean),
      rows: teamTypes.map((r) => (plan ? r : r.slice(0, 4))),
    },
    er: { ...er, tag: erTag, percentText: er.percent === null ? '–' : `${er.percent}%` },
  };
}

// Coverage projection --------------------------------------------------------------------------

const hoursText = (h: number) => (h === 0 ? 'None' : plural(h, 'hour'));

/**
 * Runs of consecutive hours of the week, as 'Monday 23:00 to Tuesday 07:00' (to the hour after
 * the last); a run through Sunday midnight is one run.
 */
function hourRuns(hours: readonly number[]): string[] {
  if (hours.length === HOURS_IN_WEEK) return ['Every hour of the week'];
  const runs: [number, number][] = [];
  for (const h of hours) {
    const last = runs[runs.length - 1];
    if (last && last[1] === h) last[1] = h + 1;
    else runs.push([h, h + 1]);
  }
  if (runs.length > 1 && runs[0]![0] === 0 && runs[runs.length - 1]![1] === HOURS_IN_WEEK) runs[0]![0] = runs.pop()![0];
  return runs.map(([from, to]) => `${hourOfWeekLabel(from)} to ${hourOfWeekLabel(to % HOURS_IN_WEEK)}`);
}

function coverageView(c: CoverageProjection) {
  if (c.status !== 'ready') return c;
  const last = c.months[c.months.length - 1]!;
  const boroughs = c.boroughs.map((b) => {
    const p = b.projection;
    if (!p) return { name: b.name, rostered: false };
    return {
      name: b.name,
      rostered: true,
      minimum: n(p.minimum),
      now: hoursText(p.hoursBelowNow),
      atDeadline: hoursText(p.months[p.months.length - 1]!.hoursBelow),
      gapsEnd: p.noGapsNow ? tag('No gaps now', 'green') : p.gapsEndIn ? tag(`From ${monthLabel(p.gapsEndIn)}`, 'yellow') : tag('Not within the plan', 'red'),
      runsNow: hourRuns(p.hoursNow),
    };
  });
  const projected = c.boroughs.filter((b) => b.projection);
  return {
    status: c.status,
    from: c.from,
    to: c.to,
    latest: c.latest,
    weeks: ROSTER_WEEKS,
    startsOn: c.startsOn,
    lastMonth: monthLabel(last.month),
    boroughs,
    unrostered: boroughs.filter((b) => !b.rostered).length,
    monthTable: projected.length
      ? {
          caption: 'Hours a week below the minimum at the end of each month of the plan, by borough',
          header: ['Borough', 'Now', ...c.months.map((m) => shortMonthLabel(m.month))],
          rows: projected.map((b) => [b.name, n(b.projection!.hoursBelowNow), ...b.projection!.months.map((m) => n(m.hoursBelow))]),
        }
      : null,
    authorisedTable: {
      caption: 'Authorised officers projected force-wide at the end of each month (at the planned courses)',
      header: ['Month', 'Authorised'],
      rows: c.months.map((m) => [shortMonthLabel(m.month), n(m.authorisedAtEnd)]),
    },
  };
}

// Planner --------------------------------------------------------------------------------------

const monthRow = (m: PlannerMonth) => [
  shortMonthLabel(m.month).replace(' ', '\u00a0'),
  n(m.refreshersDue),
  n(m.refresherSessions),
  n(m.refreshed),
  n(m.lapsed),
  n(m.initialSessions),
  n(m.initialSeatsFilled),
  n(m.newlyAuthorised),
  n(m.leavers),
  n(m.authorisedAtEnd),
  n(m.trainerDaysUsed),
];
const MONTH_HEADER = [
  'Month',
  'Refreshers due',
  'Refresher courses',
  'Refreshed',
  'Lapsed',
  'Initial courses',
  'Places filled',
  'Newly authorised',
  'Leavers',
  'Authorised at the end',
  'Trainer days used',
];

function plannerView(planning: UpliftPlanning) {
  const { plan, projection, proposal, assumptions, input } = planning;
  const planned = assumptions.plannedInitialSessionsPerMonth;
  const months = projection.months.map((m) => m.month);
  const series: LineSeries[] = [{ name: `At ${plural(planned, 'initial course')} a month (the plan)`, values: projection.months.map((m) => m.authorisedAtEnd) }];
  const proposed = proposal.initialSessionsPerMonth;
  if (proposed !== planned)
    series.push({
      name: `At ${plural(proposed, 'initial course')} a month (${proposal.feasible ? 'the fewest that meet the target' : 'the most the trainers can run'})`,
      values: proposal.projection.months.map((m) => m.authorisedAtEnd),
      colour: '#00703c',
    });
  series.push({ name: `Target: ${n(plan.targetAuthorised)}`, values: months.map(() => plan.targetAuthorised), colour: '#505a5f', dashed: true });
  const chart = lineChart('Authorised officers projected at the end of each month against the target', months.map(shortMonthLabel), series);
  const days = n(assumptions.trainers * assumptions.trainingDaysPerTrainerPerMonth);
  const table = (p: Projection, caption: string) => ({ caption: `${caption} (${days} trainer days available each month)`, header: MONTH_HEADER, rows: p.months.map(monthRow) });
  const deadlineMonth = monthLabel(input.deadlineMonth);
  const dues = input.startingRefreshersDue.map((d, k) => ({ month: monthLabel(monthAfter(planning.on, k)), due: n(d) }));
  const listed = input.startingRefreshersDue.reduce((a, b) => a + b, 0);
  if (input.startingAuthorised - listed > 0)
    dues.push({ month: `${monthLabel(monthAfter(planning.on, 11))} or later`, due: `${n(input.startingAuthorised - listed)} (counted in ${monthLabel(monthAfter(planning.on, 11))})` });
  return {
    planned,
    deadlineMonth,
    targetMetIn: proposal.projection.targetMetIn ? monthLabel(proposal.projection.targetMetIn) : null,
    chart,
    projectionTable: table(projection, `Month by month at ${plural(planned, 'initial course')} a month`),
    proposalTable: proposed !== planned ? table(proposal.projection, `Month by month at ${plural(proposed, 'initial course')} a month`) : null,
    dues,
    rates: {
      initial: `${assumptions.initialPassRatePercent}%`,
      refresher: `${assumptions.refresherPassRatePercent}%`,
      attrition: `${assumptions.annualAttritionPercent}% a year (${(input.monthlyAttrition * 100).toFixed(2)}% a month)`,
    },
  };
}

/** The try-out form's values: what was typed, else the plan's. */
function tryValues(q: Query, plan: UpliftPlan) {
  return Object.fromEntries(TRY_FIELDS.map((k) => [k, q[k] !== undefined && q[k] !== '' ? q[k] : String(plan.assumptions[k])]));
}

// Settings -------------------------------------------------------------------------------------

type SettingsValues = Record<string, string>;

function settingsValuesOf(plan: UpliftPlan | null, authorisedNow: number): SettingsValues {
  const a = plan?.assumptions ?? DEFAULT_ASSUMPTIONS;
  const values: SettingsValues = {
    startsOn: plan?.startsOn ?? '',
    deadline: plan?.deadline ?? '',
    baselineAuthorised: String(plan?.baselineAuthorised ?? authorisedNow),
    targetAuthorised: plan ? String(plan.targetAuthorised) : '',
    targetDevices: plan ? String(plan.targetDevices) : '',
    boroughMinimum: plan ? String(plan.boroughMinimum) : '',
    emergencyResponsePercent: plan ? String(plan.emergencyResponsePercent) : '',
  };
  for (const k of ASSUMPTION_FIELDS) values[k] = String(a[k]);
  return values;
}

function settingsValuesFrom(body: FormBody): SettingsValues {
  const values: SettingsValues = { startsOn: dateFromParts(body, 'startsOn'), deadline: dateFromParts(body, 'deadline') };
  for (const q of [...TARGET_QUESTIONS, ...ASSUMPTION_QUESTIONS]) values[q.name] = field(body, q.name);
  return values;
}

export function registerUpliftRoutes(app: FastifyInstance, svc: Services): void {
  app.get('/uplift', { config: { permission: 'read:uplift', query: z.object({ notice: queryNotice }) } }, async (request, reply) => {
    const q = request.query as Query;
    const [{ plan, progress: p }, coverage] = await Promise.all([progress(svc, request.scope), coverageProjection(svc, request.scope)]);
    const scoped = !request.scope.all;
    return reply.render('pages/uplift/index.njk', {
      title: 'Taser uplift',
      plan,
      p,
      view: progressView(plan, p, scoped),
      coverage: coverageView(coverage),
      scoped,
      canManage: can(request.identity!.account.roles, 'manage:uplift'),
      notice: q.notice === 'plan-saved' ? 'The uplift plan has been saved.' : noticeFrom(q),
    });
  });

  app.get('/uplift/planner', { config: { permission: 'read:uplift', query: z.object(Object.fromEntries(TRY_FIELDS.map((k) => [k, queryText(k, 20)]))) } }, async (request, reply) => {
    const q = request.query as Query;
    const tried = Object.fromEntries(TRY_FIELDS.filter((k) => q[k] !== undefined).map((k) => [k, q[k]]));
    const canManage = can(request.identity!.account.roles, 'manage:uplift');
    const base = { title: 'Uplift planner', backLink: '/uplift', canManage, questions: ASSUMPTION_QUESTIONS.filter((x) => TRY_FIELDS.includes(x.name)) };
    let planning: UpliftPlanning | null;
    let errors: FieldError[] = [];
    try {
      planning = await planUplift(svc, svc.now(), Object.keys(tried).length ? tried : undefined);
    } catch (err) {
      if (err instanceof WorkflowError) return reply.render('pages/uplift/planner.njk', { ...base, ended: err.message });
      if (!(err instanceof ValidationError)) throw err;
      errors = err.errors;
      planning = await planUplift(svc);
    }
    if (!planning) return reply.render('pages/uplift/planner.njk', { ...base, planning: null });
    return reply.code(errors.length ? 400 : 200).render('pages/uplift/planner.njk', {
      ...base,
      planning,
      view: plannerView(planning),
      values: tryValues(q, planning.plan),
      trying: errors.length === 0 && Object.keys(tried).some((k) => tried[k] !== ''),
      changed: planning.changed.map((k) => ASSUMPTION_QUESTIONS.find((x) => x.name === k)!.label.toLowerCase()),
      ...errorView(errors),
    });
  });

  const renderSettings = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: { plan: UpliftPlan | null; values: SettingsValues; errors?: FieldError[]; typed?: Record<'startsOn' | 'deadline', { day: string; month: string; year: string }> },
  ) => {
    const ev = errorView(ctx.errors ?? []);
    return reply.code(ctx.errors ? 400 : 200).render('pages/uplift/settings.njk', {
      title: ctx.plan ? 'Change the uplift plan' : 'Set the uplift plan',
      backLink: '/uplift',
      plan: ctx.plan,
      values: ctx.values,
      targetQuestions: TARGET_QUESTIONS,
      assumptionQuestions: ASSUMPTION_QUESTIONS,
      startsOnItems: dateItems('startsOn', ctx.typed?.startsOn ?? dateParts(ctx.values.startsOn), Boolean(ev.errors.startsOn)),
      deadlineItems: dateItems('deadline', ctx.typed?.deadline ?? dateParts(ctx.values.deadline), Boolean(ev.errors.deadline)),
      ...ev,
    });
  };

  app.get('/uplift/settings', { config: { permission: 'manage:uplift' } }, async (request, reply) => {
    const plan = await getPlan(svc);
    const authorisedNow = plan ? 0 : (await progress(svc, { all: true })).progress.authorisedNow;
    return renderSettings(request, reply, { plan, values: settingsValuesOf(plan, authorisedNow) });
  });

  app.post('/uplift/settings', { config: { permission: 'manage:uplift' } }, async (request, reply) => {
    const body = formBody(request);
    const values = settingsValuesFrom(body);
    try {
      await savePlan(svc, request.actor(), values);
      return reply.redirect('/uplift?notice=plan-saved', 303);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const parts = (name: string) => ({ day: field(body, `${name}-day`), month: field(body, `${name}-month`), year: field(body, `${name}-year`) });
      return renderSettings(request, reply, { plan: await getPlan(svc), values, errors: err.errors, typed: { startsOn: parts('startsOn'), deadline: parts('deadline') } });
    }
  });
}
