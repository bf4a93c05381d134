import { addGroupMember, upsertGroup } from '../../domain/agencies/agency.repository';
import { CliUsageError, parseArgs, required, type CommandHandler } from '../cli-context';

/** lienthong group add --id ID --name N | group add-member --id ID --agency C */
export const groupCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options } = parseArgs(rest, { id: 'string', name: 'string', agency: 'string' });
  switch (sub) {
    case 'add': {
      const id = required(options, 'id');
      if (!/^[a-z0-9-]{1,64}$/.test(id)) throw new CliUsageError('--id must be 1–64 of a-z, 0-9 and -');
      await upsertGroup(ctx.db, id, required(options, 'name'));
      ctx.out({ id, ref: `group:${id}` }, `group ${id} saved; address it as group:${id}`);
      return;
    }
    case 'add-member': {
      const id = required(options, 'id');
      const agency = required(options, 'agency');
      await addGroupMember(ctx.db, id, agency);
      ctx.out({ id, agency }, `${agency} is a member of group ${id}`);
      return;
    }
    default:
      throw new CliUsageError('usage: lienthong group add|add-member');
  }
};
