import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { PeriodError } from '../../domain/stats/periods.js';
import { WorkflowError } from '../../domain/errors.js';
import { monthLabel } from '../../domain/calendar.js';
import { cliActor, type Services } from '../../services/context.js';
import { DisclosureError, draftRelease, prepareRelease, publicationPreview, publishedReleases, publishRelease, supersedeRelease, type Release } from '../../services/releases.js';
import { CliError, withServices } from '../runtime.js';

const n = (x: number) => x.toLocaleString('en-GB');

interface PublishOptions {
  yes?: boolean;
  confirmIdentical?: boolean;
}

/** Errors a person can act on become a message and exit 1, without a stack trace. */
function told(err: unknown): never {
  if (err instanceof PeriodError || err instanceof WorkflowError) throw new CliError(err.message);
  if (err instanceof DisclosureError) throw new CliError(`Nothing stored. ${err.problems.map((p) => `${p.where}: ${p.message}`).join('\n')}`);
  throw err;
}

/**
 * Shows what publishing the draft would put in front of the public (its headline figures,
 * revisions and any correction), then publishes it only with --yes (or, at a terminal, when
 * the person types yes): a published release cannot be undone. Never prompts when standard
 * input is not a terminal (CI, scripts).
 */
async function confirmAndPublish(svc: Services, draft: Release, opts: PublishOptions): Promise<void> {
  const p = await publicationPreview(svc, draft.id).catch(told);
  if (p.problem) throw new CliError(p.problem);
  const s = draft.snapshot;
  const lines = [
    `Release ${p.number}: Taser use, ${s.label} (figures to the end of ${monthLabel(draft.month)}, counted on ${s.countedOn})`,
    `  uses of Taser:    ${n(s.totals.total)}`,
    `  discharges:       ${n(s.totals.discharge)}`,
    `  months covered:   ${s.months.map((m) => m.label).join(', ')}`,
    `  revisions:        ${p.revisions.summary}`,
    `  uses file:        ${n(draft.rowsCount)} rows`,
  ];
  if (draft.supersedes) lines.push(`  supersedes:       release ${draft.supersedes.number}: ${draft.supersedes.reason}`);
  if (p.identicalTo !== null) lines.push(`  same figures as:  release ${p.identicalTo}`);
  console.log(lines.join('\n'));
  if (p.identicalTo !== null && !opts.confirmIdentical) {
    throw new CliError(`Nothing published: this release has the same figures as release ${p.identicalTo}. If you mean to publish the same figures again, add --confirm-identical.`);
  }
  if (!opts.yes) {
    if (!process.stdin.isTTY) throw new CliError(`Nothing published: publishing release ${p.number} cannot be undone. Check the figures above, then run the command again with --yes.`);
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Are you sure you want to publish release ${p.number}? This cannot be undone. Type yes to publish: `);
    rl.close();
    if (answer.trim().toLowerCase() !== 'yes') throw new CliError('Nothing published.');
  }
  const published = await publishRelease(svc, cliActor(), draft.id, { confirmIdentical: opts.confirmIdentical }).catch(told);
  console.log(
    `Done: published release ${published.number} (${published.snapshot.label}). ${published.revisions!.summary}${published.supersedes ? ` It supersedes release ${published.supersedes.number}.` : ''}`,
  );
}

const PUBLISH_HELP = `
Publishing shows the release's headline figures and asks "Are you sure?": give --yes to
publish without being asked (required when standard input is not a terminal). A release with
the same figures as one already published for its month also needs --confirm-identical.`;

/** Monthly releases from the command line: the same steps as /statistics/releases. */
export function registerRelease(program: Command): void {
  const release = program.command('release').description('monthly releases of the figures for the public transparency pages');

  release
    .command('prepare')
    .description('prepare (or replace) the draft release of the financial year to the end of a month, from the month of the first recorded use of force to the last month that has ended')
    .requiredOption('--month <YYYY-MM>', 'the month the figures run to, like 2026-10')
    .option('--publish', 'publish it at once (with --yes), without a preview')
    .option('--yes', 'with --publish: publish without asking "Are you sure?"')
    .option('--confirm-identical', 'with --publish: publish even when the figures are the same as a release already published for the month')
    .addHelpText('after', `\nExample:\n  npm run cedar -- release prepare --month 2026-10\n  npm run cedar -- release publish --yes\n${PUBLISH_HELP}`)
    .action(async (opts: { month: string; publish?: boolean } & PublishOptions) => {
      await withServices(async (svc) => {
        const draft = await prepareRelease(svc, cliActor(), opts.month).catch(told);
        console.log(
          `Prepared a draft of ${draft.snapshot.label}: ${n(draft.snapshot.totals.total)} uses, ${n(draft.snapshot.totals.discharge)} discharges, ${n(draft.rowsCount)} rows in the uses file.`,
        );
        if (!opts.publish) {
          console.log(`Done: draft ready. Preview it at /statistics/releases/${draft.id}, then publish it there or with: npm run cedar -- release publish`);
          return;
        }
        await confirmAndPublish(svc, draft, opts);
      });
    });

  release
    .command('supersede')
    .description('correct a published release in the open: prepare a release of the same month that supersedes it, with the reason (the public reads it on both releases)')
    .requiredOption('--number <N>', 'the published release to correct')
    .requiredOption('--reason <text>', 'why it is corrected, in a few words the public will read, naming no one')
    .option('--publish', 'publish the correction at once (with --yes)')
    .option('--yes', 'with --publish: publish without asking "Are you sure?"')
    .option('--confirm-identical', 'with --publish: publish even when the figures are the same')
    .addHelpText('after', `\nExample:\n  npm run cedar -- release supersede --number 7 --reason "Uses in Lambeth in May were counted twice"\n  npm run cedar -- release publish --yes\n${PUBLISH_HELP}`)
    .action(async (opts: { number: string; reason: string; publish?: boolean } & PublishOptions) => {
      if (!/^[1-9]\d{0,8}$/.test(opts.number.trim())) throw new CliError(`--number: give a published release's number, like 7 (you gave "${opts.number}")`);
      await withServices(async (svc) => {
        const draft = await supersedeRelease(svc, cliActor(), Number(opts.number), opts.reason).catch(told);
        console.log(
          `Prepared a draft superseding release ${draft.supersedes!.number}: ${draft.snapshot.label}, ${n(draft.snapshot.totals.total)} uses, ${n(draft.snapshot.totals.discharge)} discharges. Reason: ${draft.supersedes!.reason}`,
        );
        if (!opts.publish) {
          console.log(`Done: draft ready. Preview it at /statistics/releases/${draft.id}, then publish it there or with: npm run cedar -- release publish`);
          return;
        }
        await confirmAndPublish(svc, draft, opts);
      });
    });

  release
    .command('publish')
    .description('publish the draft release: it takes the next number and never changes again')
    .option('--yes', 'publish without asking "Are you sure?" (required when standard input is not a terminal)')
    .option('--confirm-identical', 'publish even when the figures are the same as a release already published for the month')
    .addHelpText('after', PUBLISH_HELP)
    .action(async (opts: PublishOptions) => {
      await withServices(async (svc) => {
        const draft = await draftRelease(svc);
        if (!draft) throw new CliError('There is no draft release to publish. Prepare one first: npm run cedar -- release prepare --month YYYY-MM');
        await confirmAndPublish(svc, draft, opts);
      });
    });

  release
    .command('list')
    .description('the published releases, newest first, and the draft if there is one')
    .action(async () => {
      await withServices(async (svc) => {
        const [draft, published] = await Promise.all([draftRelease(svc), publishedReleases(svc)]);
        if (draft)
          console.log(
            `draft\t${draft.snapshot.label}\t${n(draft.snapshot.totals.total)} uses\tprepared ${draft.preparedAt} by ${draft.preparedBy}${draft.supersedes ? `\tsupersedes release ${draft.supersedes.number}: ${draft.supersedes.reason}` : ''}`,
          );
        for (const r of published) {
          const notes = [
            r.supersedes && `supersedes release ${r.supersedes.number}: ${r.supersedes.reason}`,
            r.supersededBy && `SUPERSEDED by release ${r.supersededBy.number}: ${r.supersededBy.reason}`,
          ].filter(Boolean);
          console.log(
            `${r.number}\t${r.snapshot.label} (to ${monthLabel(r.month)})\t${n(r.snapshot.totals.total)} uses\tpublished ${r.publishedAt} by ${r.publishedBy}\t${r.revisions?.summary ?? ''}${notes.length ? `\t${notes.join('; ')}` : ''}`,
          );
        }
        console.log(`Done: ${published.length} published release${published.length === 1 ? '' : 's'}${draft ? ' and a draft' : ''}.`);
      });
    });
}
