import type { CliContext, CommandHandler } from '../../../services/cli/cli-context';
import { loadConfig } from '../../../services/config/config';
import { createPool, type Db } from '../../../services/db/pool';
import { upsertAgency } from '../../../services/domain/agencies/agency.repository';
import { testEnv, uniqueTag } from '../../support/test-env';
export { rejectionOf } from '../../support/rejection';

/** What a command printed: the JSON value and the human text it would show without --json. */
export interface Printed {
  value: unknown;
  human?: string;
}

export interface CliRun {
  code: number;
  printed: Printed[];
  /** The last value printed, for commands that print one result. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, inspected field by field
  value: any;
  human: string;
}

export interface TestCli {
  db: Db;
  /** Runs `handler(args)` with a fresh context; `env` overrides the environment the config is read from. */
  run(handler: CommandHandler, args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  close(): Promise<void>;
}

export function testCli(): TestCli {
  const db = createPool(testEnv().databaseUrl, { max: 2 });
  return {
    db,
    async run(handler, args, env = {}) {
      const printed: Printed[] = [];
      const ctx: CliContext = {
        db,
        config: loadConfig({ ...process.env, ...env }),
        json: true,
        out(value, human) {
          printed.push({ value: JSON.parse(JSON.stringify(value)), ...(human !== undefined ? { human } : {}) });
        },
      };
      const code = (await handler(args, ctx)) ?? 0;
      const last = printed[printed.length - 1];
      return { code, printed, value: last?.value, human: last?.human ?? '' };
    },
    close: () => db.end(),
  };
}

/** A fresh agency in the directory, with a unique code so suites never share certificates. */
export async function newAgency(db: Db, name = 'Sở Nội vụ tỉnh Đắk Lắk'): Promise<{ code: string; name: string }> {
  const agency = { code: `${uniqueTag()}.PKI`, name };
  await upsertAgency(db, agency);
  return agency;
}

