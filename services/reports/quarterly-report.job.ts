import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { z } from 'zod';
import { QUARTERLY_FINAL_SCHEDULER, QUARTERLY_REPORT_JOB, QUARTERLY_REPORT_SCHEDULER } from '../../contracts';
import type { Db } from '../db/pool';
import { logger } from '../logging/logger';
import { addDays, quarterBounds, quarterOfDay, vnDay, VN_TIME_ZONE } from '../stats/periods';
import { produceQuarterlyReport } from './quarterly-report';

const log = logger('reports');

// The queue's names (wire format: REPORTS_QUEUE, the scheduler ids, the job name) live beside the
// stage names in contracts/queues.ts.

/** Due on the 20th of the quarter's last month (the directive); 06:00 so it is ready for the day. */
export const QUARTERLY_REPORT_CRON = '0 6 20 3,6,9,12 *';
/** The complete report of the quarter just ended, early on its first day after. */
export const QUARTERLY_FINAL_CRON = '0 2 1 1,4,7,10 *';

export const QuarterlyReportJob = z.object({ edition: z.enum(['to-date', 'final']) }).strict();
export type QuarterlyReportJob = z.infer<typeof QuarterlyReportJob>;

const TEMPLATE_OPTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 60_000 },
  removeOnComplete: { count: 50 },
  removeOnFail: { age: 90 * 24 * 3600 },
} as const;

/**
 * Registers the two job schedulers (BullMQ ≥ 5.16 Job Scheduler API). Every worker process may call
 * this at start-up: upsert by a fixed scheduler id creates it once and afterwards only updates it.
 * One run per due time whatever the number of processes: a scheduler keeps exactly one pending job,
 * whose id is derived from the scheduler id and the due time (`repeat:<id>:<millis>`), so adding it
 * twice is a no-op; only one worker can take that job, and the next iteration is added atomically
 * when it is taken. Storing a final report is also idempotent (first one wins), as a second guard.
 */
export async function registerQuarterlyReportScheduler(queue: Queue): Promise<void> {
  await queue.upsertJobScheduler(
    QUARTERLY_REPORT_SCHEDULER,
    { pattern: QUARTERLY_REPORT_CRON, tz: VN_TIME_ZONE },
    { name: QUARTERLY_REPORT_JOB, data: { edition: 'to-date' } satisfies QuarterlyReportJob, opts: TEMPLATE_OPTS },
  );
  await queue.upsertJobScheduler(
    QUARTERLY_FINAL_SCHEDULER,
    { pattern: QUARTERLY_FINAL_CRON, tz: VN_TIME_ZONE },
    { name: QUARTERLY_REPORT_JOB, data: { edition: 'final' } satisfies QuarterlyReportJob, opts: TEMPLATE_OPTS },
  );
}

/** The BullMQ processor for the reports queue: `new Worker(REPORTS_QUEUE, quarterlyReportProcessor(db), …)`. */
export function quarterlyReportProcessor(db: Db, clock: () => Date = () => new Date()) {
  return async (job: Job): Promise<{ year: number; quarter: number; final: boolean; coversTo: string; pdfSha256: string }> => {
    const parsed = QuarterlyReportJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid ${QUARTERLY_REPORT_JOB} payload`);
    const now = clock();
    const today = vnDay(now);
    // The final edition runs after its quarter ended: the quarter of the day before its start.
    const day = parsed.data.edition === 'final' ? addDays(quarterBounds(quarterOfDay(today).year, quarterOfDay(today).quarter).from, -1) : today;
    const { year, quarter } = quarterOfDay(day);
    const r = await produceQuarterlyReport(db, year, quarter, now);
    log.info({ year, quarter, final: r.final, coversTo: r.coversTo, jobId: job.id }, 'quarterly report produced');
    return { year, quarter, final: r.final, coversTo: r.coversTo, pdfSha256: r.pdfSha256 };
  };
}
