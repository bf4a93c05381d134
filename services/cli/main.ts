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
import { resolveCliEnv } from './cli-env';

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
};

const USAGE = `usage: lienthong <command> [options] [--json]
  migrate
  agency add --code C --name N [--parent P] [--level L] [--channel hosted|push|paper] [--endpoint URL] [--secret-env VAR | --secret (read from stdin)] [--format edxml|json]
  agency import FILE.csv | agency list | agency bind-cert --code C --fingerprint HEX [--subject DN] | --clear
  group add --id ID --name N | group add-member --id ID --agency C
  apikey create --agency C [--label L] [--scope send,read,status,monitor] [--expires YYYY-MM-DD | --expires-days N] | apikey revoke ID | apikey list
  dispatch list [--failed] | dispatch retry ID|--failed
  edxml inspect FILE
  ledger verify [--batch N]
  report quarterly YEAR Q1..Q4 [--out DIR]
  pki dev-init | pki issue --agency C [--key-type rsa|ec] | pki ca-cert | pki list [--agency C]
  pki import --agency C FILE.p12 [--password-env VAR] | pki import --agency C --cert cert.pem --key key.pem [--chain chain.pem]
  pki revoke --cert ID | pki trust add FILE.pem [--label L] | pki trust list | pki dev-tsa [--port P]
  pdf verify FILE
  user add --agency C --username U --role clerk|leader|monitor|admin [--name N] [--password-env VAR] | user list`;

/** Commands that read only files: they must work without a database. */
const OFFLINE = new Set(['edxml']);

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const [name, ...rest] = args;
  const handler = name ? COMMANDS[name] : undefined;
  if (!handler) {
    console.error(USAGE);
    return name ? 2 : 0;
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
  const db = createPool(config.DATABASE_URL, { max: 2, application: 'lienthong-cli' });
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
