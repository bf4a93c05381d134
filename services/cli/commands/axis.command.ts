import { AxisClient, axisSettings } from '../../axis/axis-client';
import { syncAxisDirectory } from '../../axis/axis-directory';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

/** lienthong axis status | axis sync — the national document exchange axis adapter, for the operator. */
export const axisCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  parseArgs(rest, {});
  switch (sub) {
    case 'status': {
      const state = (await ctx.db.query(
        `SELECT last_poll_at AS "lastPollAt", last_sync_at AS "lastSyncAt", failures, last_error AS "lastError", last_error_at AS "lastErrorAt",
                lease_until > now() AS "leased" FROM axis_state WHERE id = 1`,
      )).rows[0];
      const outcomes = (await ctx.db.query(`SELECT COALESCE(outcome, 'in progress') AS outcome, count(*)::int AS n FROM axis_received GROUP BY 1 ORDER BY 1`)).rows;
      const unacknowledged = (await ctx.db.query(`SELECT count(*)::int AS n FROM axis_received WHERE outcome IS NOT NULL AND acknowledged_at IS NULL`)).rows[0].n as number;
      const agencies = (await ctx.db.query(`SELECT count(*)::int AS n FROM agencies WHERE reached_via = 'axis'`)).rows[0].n as number;
      const refused = (await ctx.db.query(`SELECT axis_doc_id AS "axisDocId", from_code AS "from", detail, handled_at AS "handledAt" FROM axis_received WHERE outcome = 'refused' ORDER BY handled_at DESC LIMIT 5`)).rows;
      const configured = Boolean(ctx.config.LIENTHONG_AXIS_URL);
      const counts = Object.fromEntries(outcomes.map((o) => [o.outcome, o.n]));
      ctx.out(
        { configured, ...state, received: counts, unacknowledged, agencies, lastRefused: refused },
        [
          `trục liên thông / national axis: ${configured ? ctx.config.LIENTHONG_AXIS_URL : 'chưa cấu hình (LIENTHONG_AXIS_URL)'}`,
          `lần hỏi cuối / last poll: ${state.lastPollAt?.toISOString() ?? '—'}; đồng bộ danh bạ / last sync: ${state.lastSyncAt?.toISOString() ?? '—'}`,
          `lỗi liên tiếp / failures: ${state.failures}${state.lastError ? ` — ${state.lastError} (${state.lastErrorAt?.toISOString()})` : ''}`,
          `gói đã nhận / received: ${outcomes.map((o) => `${o.outcome} ${o.n}`).join(', ') || '0'}; chưa báo lại trục / not yet acknowledged: ${unacknowledged}`,
          `cơ quan qua trục / agencies through the axis: ${agencies}`,
          ...refused.map((r) => `  từ chối / refused ${r.axisDocId} từ ${r.from ?? '?'}: ${r.detail ?? ''}`),
        ].join('\n'),
      );
      return;
    }
    case 'sync': {
      const settings = axisSettings(ctx.config);
      if (!settings) throw new CliUsageError('the axis is not configured: set LIENTHONG_AXIS_URL, LIENTHONG_AXIS_SYSTEM_ID and LIENTHONG_AXIS_SECRET');
      const counts = await syncAxisDirectory(ctx.db, new AxisClient(settings));
      ctx.out(counts, `danh bạ trục đã đồng bộ / axis directory synchronised: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      return;
    }
    default:
      throw new CliUsageError('usage: lienthong axis status | axis sync');
  }
};
