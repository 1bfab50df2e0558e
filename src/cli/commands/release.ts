import type { Command } from 'commander';
import { PeriodError } from '../../domain/stats/periods.js';
import { WorkflowError } from '../../domain/report/workflow.js';
import { monthLabel } from '../../domain/stats/release.js';
import { cliActor } from '../../services/context.js';
import { DisclosureError, draftRelease, prepareRelease, publishedReleases, publishRelease } from '../../services/releases.js';
import { CliError, withServices } from '../runtime.js';

const n = (x: number) => x.toLocaleString('en-GB');

/** Monthly releases from the command line: the same steps as /statistics/releases. */
export function registerRelease(program: Command): void {
  const release = program.command('release').description('monthly releases of the figures for the public transparency pages');

  release
    .command('prepare')
    .description('prepare (or replace) the draft release of the financial year to the end of a month that has ended')
    .requiredOption('--month <YYYY-MM>', 'the month the figures run to, like 2026-10')
    .option('--publish', 'publish it at once, without a preview')
    .addHelpText('after', '\nExample:\n  npm run cedar -- release prepare --month 2026-10\n  npm run cedar -- release publish')
    .action(async (opts: { month: string; publish?: boolean }) => {
      await withServices(async (svc) => {
        const draft = await prepareRelease(svc, cliActor(), opts.month).catch((err: unknown) => {
          if (err instanceof PeriodError) throw new CliError(err.message);
          if (err instanceof DisclosureError) throw new CliError(`Nothing stored. ${err.problems.map((p) => `${p.where}: ${p.message}`).join('\n')}`);
          throw err;
        });
        console.log(`Prepared a draft of ${draft.snapshot.label}: ${n(draft.snapshot.totals.total)} uses, ${n(draft.snapshot.totals.discharge)} discharges, ${n(draft.rowsCount)} rows in the uses file.`);
        if (!opts.publish) {
          console.log(`Done: draft ready. Preview it at /statistics/releases/${draft.id}, then publish it there or with: npm run cedar -- release publish`);
          return;
        }
        const published = await publishRelease(svc, cliActor(), draft.id);
        console.log(`Done: published release ${published.number}. ${published.revisions!.summary}`);
      });
    });

  release
    .command('publish')
    .description('publish the draft release: it takes the next number and never changes again')
    .action(async () => {
      await withServices(async (svc) => {
        const draft = await draftRelease(svc);
        if (!draft) throw new CliError('There is no draft release to publish. Prepare one first: npm run cedar -- release prepare --month YYYY-MM');
        const published = await publishRelease(svc, cliActor(), draft.id).catch((err: unknown) => {
          if (err instanceof WorkflowError) throw new CliError(err.message);
          throw err;
        });
        console.log(`Done: published release ${published.number} (${published.snapshot.label}). ${published.revisions!.summary}`);
      });
    });

  release
    .command('list')
    .description('the published releases, newest first, and the draft if there is one')
    .action(async () => {
      await withServices(async (svc) => {
        const [draft, published] = await Promise.all([draftRelease(svc), publishedReleases(svc)]);
        if (draft) console.log(`draft\t${draft.snapshot.label}\t${n(draft.snapshot.totals.total)} uses\tprepared ${draft.preparedAt} by ${draft.preparedBy}`);
        for (const r of published) console.log(`${r.number}\t${r.snapshot.label} (to ${monthLabel(r.month)})\t${n(r.snapshot.totals.total)} uses\tpublished ${r.publishedAt} by ${r.publishedBy}\t${r.revisions?.summary ?? ''}`);
        console.log(`Done: ${published.length} published release${published.length === 1 ? '' : 's'}${draft ? ' and a draft' : ''}.`);
      });
    });
}
