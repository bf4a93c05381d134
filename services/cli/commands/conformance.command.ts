import { runPushConformance, type ConformanceReport } from '../../conformance/push-conformance';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

const USAGE = 'usage: lienthong conformance push --endpoint URL --secret-env VAR [--format edxml|json] [--timeout-ms N] [--json]';

function humanReport(r: ConformanceReport): string {
  const lines = r.checks.map((c) => `${c.passed ? 'ĐẠT   ' : 'KHÔNG ĐẠT'.padEnd(6)}  ${c.id.padEnd(19)} ${c.title}\n        ${c.detail}`);
  const failed = r.checks.filter((c) => !c.passed).length;
  return [
    `Kiểm tra điểm nhận ${r.endpoint} (${r.format})`,
    ...lines,
    failed ? `KẾT QUẢ: ${failed}/${r.checks.length} mục không đạt — chưa chuyển cơ quan này sang nhận qua đẩy (push).` : `KẾT QUẢ: đạt cả ${r.checks.length} mục.`,
  ].join('\n');
}

/**
 * lienthong conformance push: the checks an agency's receiver must pass before it is switched to
 * push. Needs no database; the shared secret comes from an environment variable. Exit 0 only
 * when every check passes.
 */
export const conformanceCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options, positionals } = parseArgs(rest, { endpoint: 'string', 'secret-env': 'string', format: 'string', 'timeout-ms': 'string' });
  if (sub !== 'push' || positionals.length || !options.endpoint || !options['secret-env']) throw new CliUsageError(USAGE);
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    throw new CliUsageError(`--endpoint ${options.endpoint} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliUsageError('--endpoint must be an http(s) URL');
  const secret = process.env[options['secret-env']];
  if (!secret) throw new CliUsageError(`environment variable ${options['secret-env']} is empty or not set`);
  const format = options.format ?? 'edxml';
  if (format !== 'edxml' && format !== 'json') throw new CliUsageError('--format must be edxml or json');
  const timeout = options['timeout-ms'] ? Number(options['timeout-ms']) : undefined;
  if (timeout !== undefined && !(timeout > 0)) throw new CliUsageError('--timeout-ms must be a positive number');
  const report = await runPushConformance({ endpoint: url.toString(), secret, format, ...(timeout ? { requestTimeoutMs: timeout } : {}) });
  ctx.out(report, humanReport(report));
  return report.passed ? 0 : 1;
};
