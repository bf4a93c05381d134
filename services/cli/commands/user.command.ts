/* The operator CLI talks to the terminal: console and prompts are its user interface. */
import { findAgency } from '../../domain/agencies/agency.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { recordAudit } from '../../domain/audit/audit-log';
import { isRole, ROLES, type Role } from '../../domain/users/roles';
import { createUser, listUsers } from '../../domain/users/user.repository';
import { listDepartments } from '../../domain/users/department.repository';
import { enteredName } from '../../domain/names/entered-name';
import { CliUsageError, parseArgs, required, type CommandHandler } from '../cli-context';

/**
 * lienthong user add --agency C --username U --role clerk|leader|unit_head|specialist|monitor|admin [--department D] [--name N] [--password-env VAR]
 * --department (required for unit_head and specialist, who work inside one department): the
 * department's id or its name within the agency (`departments` rows; names compared in NFC).
 * lienthong user list
 * The password comes from the named environment variable or a prompt that does not echo — never
 * from an argument, which would sit in the shell history and the process list.
 */
export const userCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { options } = parseArgs(rest, { agency: 'string', username: 'string', role: 'string', name: 'string', 'password-env': 'string', password: 'string', department: 'string' });
  switch (sub) {
    case 'add': {
      const agency = required(options, 'agency');
      const username = required(options, 'username');
      const role = required(options, 'role');
      if (!isRole(role)) throw new CliUsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (options.password) throw new CliUsageError('passwords are not taken as arguments; use --password-env VAR or the prompt');
      if (!(await findAgency(ctx.db, agency))) throw new CliUsageError(`no agency ${agency} in the directory`);
      const departmentId = await departmentOf(ctx.db, agency, role, options.department);
      const envName = options['password-env'];
      let password: string;
      if (envName && envName !== 'true') {
        password = process.env[envName] ?? '';
        if (!password) throw new CliUsageError(`environment variable ${envName} is empty or not set`);
      } else {
        password = await promptHidden('Mật khẩu: ');
        if ((await promptHidden('Nhập lại: ')) !== password) throw new CliUsageError('the two passwords differ');
      }
      try {
        const u = await createUser(ctx.db, { agencyCode: agency, username, role, password, departmentId, fullName: options.name && options.name !== 'true' ? options.name : null });
        await recordAudit(ctx.db, { actor: 'operator:cli', actorAgency: null, action: 'user.add', agency, detail: { username: u.username, role, ...(departmentId ? { departmentId } : {}) } });
        ctx.out({ id: u.id, username: u.username, agency, role, departmentId }, `user ${u.username} (${role}) added to ${agency}${departmentId ? ` (department ${departmentId})` : ''}`);
      } catch (err) {
        if (err instanceof DomainError) throw new CliUsageError(err.message);
        throw err;
      }
      return;
    }
    case 'list': {
      const users = await listUsers(ctx.db);
      ctx.out(users, users.map((u) => `${u.username.padEnd(28)} ${u.role.padEnd(8)} ${u.agencyCode.padEnd(16)} ${u.disabled ? 'disabled' : ''}`).join('\n') || 'no users');
      return;
    }
    default:
      throw new CliUsageError('usage: lienthong user add --agency C --username U --role clerk|leader|unit_head|specialist|monitor|admin [--department D] [--password-env VAR] | user list');
  }
};

/** Roles that work inside one department (user.repository.ts refuses them without one). */
const DEPARTMENT_ROLES: readonly Role[] = ['unit_head', 'specialist'];

/**
 * The department a user is added to: given by id or by name (in the user's agency). Required for
 * unit_head and specialist; a department that is not the agency's or is disabled is refused here
 * with the agency's departments listed, so the operator sees what to type.
 */
async function departmentOf(db: Parameters<CommandHandler>[1]['db'], agency: string, role: Role, given: string | undefined): Promise<string | null> {
  const wanted = given && given !== 'true' ? given : undefined;
  if (!wanted) {
    if (DEPARTMENT_ROLES.includes(role)) throw new CliUsageError(`--department is required for --role ${role} (the department's id or name in ${agency}; departments: ${await departmentNames(db, agency)})`);
    return null;
  }
  const departments = await listDepartments(db, agency);
  const name = enteredName(wanted);
  const found = departments.find((d) => d.id === wanted) ?? departments.find((d) => d.name === name) ?? departments.find((d) => d.name.toLocaleLowerCase('vi') === name.toLocaleLowerCase('vi'));
  if (!found) throw new CliUsageError(`no department ${wanted} in ${agency} (departments: ${await departmentNames(db, agency)})`);
  if (found.disabled) throw new CliUsageError(`department ${found.name} of ${agency} is disabled`);
  return found.id;
}

async function departmentNames(db: Parameters<CommandHandler>[1]['db'], agency: string): Promise<string> {
  const active = (await listDepartments(db, agency, true)).map((d) => `${d.name} (${d.id})`);
  return active.length ? active.join(', ') : `none — create one in the web app (Quản trị → Phòng, đơn vị)`;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new CliUsageError('no terminal to prompt on; use --password-env VAR'));
  process.stdout.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          process.stdout.write('\n');
          return resolve(value);
        }
        if (ch === '\u0003') {
          finish();
          return reject(new CliUsageError('cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}
