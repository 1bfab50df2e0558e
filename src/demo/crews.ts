/**
 * The demo's saved crews (issue 14): for the shifts of the last few days, each period's sergeant
 * accepted the proposed crews as they were and saved them (the home borough's as its demo
 * sergeant, the others as the seeding actor), through the same service as the
 * briefing page (audited, one save per period), so the briefing pages of those shifts open on
 * saved crews and their audit trail.
 */
import type { Actor, Services } from '../services/context.js';
import { briefing, saveCrews, shiftPeriods } from '../services/crews.js';

/** Days back from the demo's instant whose shifts have saved crews. */
export const DEMO_CREW_DAYS = 3;

/** Saves the proposal of every shift period that started in the last `DEMO_CREW_DAYS` days; the count of crews saved. */
export async function seedDemoCrews(svc: Services, actor: Actor, now: Date, home: { boroughId: string; actor: Actor }): Promise<{ periods: number; crews: number; taserCrews: number }> {
  const all = { all: true } as const;
  const { periods } = await shiftPeriods(svc, all, new Date(now.getTime() - DEMO_CREW_DAYS * 86_400_000).toISOString(), new Date(now.getTime() + 1).toISOString());
  const saved = { periods: 0, crews: 0, taserCrews: 0 };
  for (const p of periods) {
    const b = await briefing(svc, all, p);
    if (b.crews.length === 0) continue;
    const r = await saveCrews(svc, p.boroughId === home.boroughId ? home.actor : actor, all, {
      boroughId: p.boroughId,
      teamId: p.teamId,
      startsAt: p.startsAt,
      revision: b.revision,
      crews: b.crews.map((c) => ({ callSign: c.callSign, members: c.members.map((m) => ({ ...m })) })),
    });
    saved.periods++;
    saved.crews += r.crews;
    saved.taserCrews += r.taserCrews;
  }
  return saved;
}
