/* The operator CLI prints to the terminal: console is its user interface. */
import { loadConfig } from '../config/config';
import { createPool } from '../db/pool';
import { CliUsageError, type CliContext, type CommandHandler } from './cli-context';
import { agencyCommand } from './commands/agency.command';
import { apikeyCommand } from './commands/apikey.command';
import { dispatchCommand } from './commands/dispatch.command';
import { edxmlCommand } from './commands/edxml.command';
import { ledgerCommand } from './commands/ledger.command';
import { pdfCommand } from './commands/pdf.command';
import { pkiCommand } from './commands/pki.command';
import { userCommand } from './commands/user.command';
import { reportCommand } from './commands/report.command';
import { groupCommand } from './commands/group.command';
import { migrateCommand } from './commands/migrate.command';
import { backupCommand } from './commands/backup.command';
import { restoreCommand } from './commands/restore.command';
import { resolveCliEnv } from './cli-env';
import { sandboxCommand } from './commands/sandbox.command';
import { conformanceCommand } from './commands/conformance.command';
import { evidenceCommand } from './commands/evidence.command';
import { disposalCommand, holdCommand, retentionCommand } from './commands/retention.command';
import { peerCommand } from './commands/peer.command';
import { axisCommand } from './commands/axis.command';

const COMMANDS: Record<string, CommandHandler> = {
  migrate: migrateCommand,
  agency: agencyCommand,
  group: groupCommand,
  apikey: apikeyCommand,
  dispatch: dispatchCommand,
  edxml: edxmlCommand,
  ledger: ledgerCommand,
  report: reportCommand,
  pki: pkiCommand,
  pdf: pdfCommand,
  user: userCommand,
  backup: backupCommand,
  restore: restoreCommand,
  sandbox: sandboxCommand,
  conformance: conformanceCommand,
  evidence: evidenceCommand,
  retention: retentionCommand,
  hold: holdCommand,
  disposal: disposalCommand,
  peer: peerCommand,
  axis: axisCommand,
};

const USAGE = `usage: lienthong <command> [options] [--json]
  migrate   (no options: anything else is refused, exit 2)
  agency add --code C --name N [--parent P] [--level L] [--channel hosted|push|paper] [--endpoint URL] [--secret-env VAR | --secret (read from stdin)] [--format edxml|json] [--allow-private-endpoint] [--push-receipt]
  agency update --code C [the options of add]
  agency import FILE.csv | agency list | agency bind-cert --code C --fingerprint HEX [--subject DN] | --clear
  group add --id ID --name N | group add-member --id ID --agency C
  apikey create --agency C [--label L] [--scope send,read,status,monitor] [--expires YYYY-MM-DD | --expires-days N] | apikey revoke ID | apikey list
  dispatch list [--failed] | dispatch retry ID|--failed
  edxml inspect FILE
  ledger verify [--batch N] [--parallel N] | ledger anchor [--chain C] [--tsa URL]
  evidence verify FILE.zip --trust CA.pem [--trust …]   (no database needed)
  retention set --type CV (--years N | --permanent) [--note T] | retention list
  hold add --document ID --reason R | hold remove --document ID [--note N] | hold list [--all]
  disposal propose [--as-of YYYY-MM-DD] [--sender C] | disposal list [--batch B] [--status proposed|disposed|rejected|cancelled] | disposal approve|reject (--batch B | --id ID) --by ADMIN [--note N]
  report quarterly YEAR Q1..Q4 [--out DIR]
  pki dev-init | pki issue --agency C [--key-type rsa|ec] | pki ca-cert | pki list [--agency C]
  pki import --agency C FILE.p12 [--password-env VAR] | pki import --agency C --cert cert.pem --key key.pem [--chain chain.pem]
  pki revoke --cert ID | pki trust add FILE.pem [--purpose signing|tsa|both] [--label L] | pki trust list | pki trust remove ID | pki dev-tsa [--port P]
  pki crl import FILE.crl   (a CRL obtained out of band, DER or PEM)
  pki hub-seal show | pki hub-seal import --cert C.pem --key K.pem [--chain CA.pem]
  pdf verify FILE [--json]   (exit 0 passed, 1 failed, 2 indeterminate/unsigned)
  pdf renew --document ID | --all-before YYYY-MM-DD [--reason TEXT] [--limit N]
  user add --agency C --username U --role clerk|leader|unit_head|specialist|monitor|admin [--department D] [--name N] [--password-env VAR] | user list
      (--department: the department's id or name in the agency; required for unit_head and specialist)
  backup now|list|verify|archive-command [--dir DIR] [--s3 [--cache DIR]]
  restore --to latest|TIME|point:NAME --into DIR [--force] [--from BACKUP_DIR | --from s3 [--cache DIR]]   (no database needed)
  sandbox create [--endpoint URL --secret-env VAR [--format edxml|json]]
  conformance push --endpoint URL --secret-env VAR [--format edxml|json] [--timeout-ms N] [--json]   (no database needed)
  peer add --id ID --url URL --secret-env VAR --codes 'PATTERN,…' [--allow-private-endpoint] | peer update --id ID [options of add] | peer list | peer remove --id ID | peer sync [--id ID]
  axis status | axis sync   (the national document exchange axis: poll state, received messages, refusals; synchronise the directory now)`;

/** Commands that read only files: they must work without a database. */
const OFFLINE = new Set(['edxml', 'restore', 'conformance', 'evidence']);

/** The usage lines of one command (`lienthong agency --help`). */
function usageOf(name: string): string {
  // A command's lines, and the indented notes that continue them.
  const lines: string[] = [];
  let inCommand = false;
  for (const l of USAGE.split('\n').slice(1)) {
    if (/^ {4,}/.test(l)) {
      if (inCommand) lines.push(l);
      continue;
    }
    inCommand = l.trim().startsWith(`${name} `) || l.trim() === name;
    if (inCommand) lines.push(l);
  }
  return `usage: lienthong ${name} … [--json]\n${lines.join('\n')}`;
}

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const help = argv.includes('--help') || argv.includes('-h');
  const args = argv.filter((a) => a !== '--json' && a !== '--help' && a !== '-h');
  const [name, ...rest] = args;
  const handler = name ? COMMANDS[name] : undefined;
  if (!name || name === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (!handler) {
    console.error(`lienthong: unknown command ${name}\n${USAGE}`);
    return 2;
  }
  // --help anywhere answers the command's usage before any option is checked or any database reached.
  if (help) {
    console.log(usageOf(name));
    return 0;
  }
  if (OFFLINE.has(name!)) {
    const offline = { json, out: (value: unknown, human?: string) => console.log(json || human === undefined ? JSON.stringify(value, null, 2) : human) };
    try {
      const code = await handler(rest, offline as CliContext);
      return typeof code === 'number' ? code : 0;
    } catch (err) {
      console.error(`lienthong ${name}: ${(err as Error).message}`);
      return err instanceof CliUsageError ? 2 : 1;
    }
  }
  const config = loadConfig(resolveCliEnv(process.env));
  const db = createPool(config.LIENTHONG_DATABASE_SESSION_URL ?? config.DATABASE_URL, { max: 2, application: 'lienthong-cli', prepared: config.LIENTHONG_DB_PREPARED_STATEMENTS });
  const ctx: CliContext = {
    db,
    config,
    json,
    out(value, human) {
      console.log(json || human === undefined ? JSON.stringify(value, null, json ? 2 : 0) : human);
    },
  };
  try {
    const code = await handler(rest, ctx);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof CliUsageError) {
      console.error(`lienthong ${name}: ${err.message}`);
      return 2;
    }
    console.error(`lienthong ${name}: ${(err as Error).message}`);
    return 1;
  } finally {
    await db.end();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`lienthong: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
