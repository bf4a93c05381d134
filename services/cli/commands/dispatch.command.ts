import { recordDispatchRetries } from '../../domain/audit/audit-log';
import { listFailedDispatches, retryDispatches } from '../../domain/dispatches/retry-dispatch';
import { createRedis } from '../../pipeline/redis';
import { createStageQueues, failedJobRemover } from '../../pipeline/stage-queues';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

/** lienthong dispatch list [--failed] | dispatch retry ID|--failed */
export const dispatchCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { positionals, options } = parseArgs(rest, { failed: 'boolean' });
  switch (sub) {
    case 'list': {
      const failed = await listFailedDispatches(ctx.db);
      if (options.failed !== 'true') {
        const counts = await ctx.db.query(`SELECT status, count(*)::int AS n FROM dispatches GROUP BY status ORDER BY status`);
        ctx.out({ byStatus: counts.rows, failed }, [
          ...counts.rows.map((r) => `${String(r.status).padEnd(12)} ${r.n}`),
          `failed dispatches: ${failed.length} (lienthong dispatch list --failed)`,
        ].join('\n'));
        return;
      }
      ctx.out(failed, failed.map((f) => `${f.id} ${f.number}/${f.notation} ${f.sender} → ${f.recipient} [${f.stage}] attempts=${f.attempts} ${f.reason}`).join('\n') || 'no failed dispatches');
      return;
    }
    case 'retry': {
      const ids = options.failed === 'true' ? (await listFailedDispatches(ctx.db, 100_000)).map((f) => f.id) : positionals;
      if (ids.length === 0 && options.failed !== 'true') throw new CliUsageError('usage: lienthong dispatch retry ID [ID…] | dispatch retry --failed');
      const redis = createRedis(ctx.config, 'producer');
      const queues = createStageQueues(redis, ctx.config.LIENTHONG_QUEUE_PREFIX);
      try {
        const retried = await retryDispatches(ctx.db, ids, 'operator:cli', failedJobRemover(queues));
        await recordDispatchRetries(ctx.db, retried, 'operator:cli', null);
        ctx.out({ retried }, `retried ${retried.length} of ${ids.length} dispatches`);
        return retried.length === ids.length ? 0 : 1;
      } finally {
        await queues.close();
        await redis.quit().catch(() => undefined);
      }
    }
    default:
      throw new CliUsageError('usage: lienthong dispatch list [--failed] | dispatch retry ID|--failed');
  }
};
