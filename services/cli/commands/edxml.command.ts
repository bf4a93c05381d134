/* The operator CLI prints to the terminal: console is its user interface. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { EdxmlError, type EdxmlMessage } from '../../edxml/edxml-types';
import { parseEdxml } from '../../edxml/parse-edxml';
import { CliUsageError, parseArgs, type CommandHandler } from '../cli-context';

/** Attachments as name/type/size/hash: the bytes are what the file is for, not what a reader wants on screen. */
function summarise(message: EdxmlMessage): unknown {
  if (message.kind === 'status') return message;
  const { attachments, ...rest } = message.document;
  return {
    kind: 'document',
    document: {
      ...rest,
      attachments: attachments.map(({ bytes, ...a }) => ({ ...a, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })),
    },
  };
}

/** `lienthong edxml inspect FILE` without the CLI context, so it needs no database and can be tested alone. */
export async function inspectEdxmlFile(path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    return { code: 1, stdout: '', stderr: `error: cannot read ${path}: ${(err as Error).message}\n` };
  }
  try {
    return { code: 0, stdout: JSON.stringify(summarise(parseEdxml(bytes)), null, 2) + '\n', stderr: '' };
  } catch (err) {
    if (!(err instanceof EdxmlError)) throw err;
    return { code: 1, stdout: '', stderr: `error: ${err.code} at ${err.element ?? 'edXML'}: ${err.detail}\n` };
  }
}

/** lienthong edxml inspect FILE */
export const edxmlCommand: CommandHandler = async (args) => {
  const [sub, ...rest] = args;
  const { positionals } = parseArgs(rest, {});
  const file = positionals[0];
  if (sub !== 'inspect' || !file) throw new CliUsageError('usage: lienthong edxml inspect FILE');
  const result = await inspectEdxmlFile(file);
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  return result.code;
};
