import fs from 'node:fs';
import { recordAudit } from '../../domain/audit/audit-log';
import { findAgency } from '../../domain/agencies/agency.repository';
import { normaliseFingerprint } from '../../gateway/security/client-certificate';
import { CliUsageError, required, type CliContext } from '../cli-context';

/**
 * The push secret of `agency add`, never from the command line (where `ps` and shell history
 * show it): `--secret-env VAR` names an environment variable, `--secret` alone reads it from
 * standard input (one line). `--secret VALUE` is refused.
 */
export function readSecret(options: Record<string, string>, stdin: () => string = () => fs.readFileSync(0, 'utf8')): string | null {
  const envName = options['secret-env'];
  if (envName !== undefined) {
    if (envName === 'true') throw new CliUsageError('--secret-env needs the name of an environment variable');
    const v = process.env[envName] ?? '';
    if (!v) throw new CliUsageError(`environment variable ${envName} is empty or not set`);
    return v;
  }
  if (options.secret === undefined) return null;
  if (options.secret !== 'true') {
    throw new CliUsageError('a secret on the command line is visible to every user of the machine (ps, shell history): use --secret-env VAR, or --secret alone and type it on standard input');
  }
  const v = stdin().replace(/\r?\n$/, '');
  if (!v) throw new CliUsageError('no secret on standard input');
  return v;
}

/**
 * lienthong agency bind-cert --code C (--fingerprint HEX | --subject DN) [--fingerprint …] | --clear:
 * the agency's API keys are accepted only with this client certificate, as the trusted TLS proxy
 * reports it (README § Security).
 */
export async function bindClientCertificate(ctx: CliContext, options: Record<string, string>): Promise<void> {
  const code = required(options, 'code');
  if (!(await findAgency(ctx.db, code))) throw new CliUsageError(`no agency ${code} in the directory`);
  const clear = options.clear === 'true';
  const fingerprint = options.fingerprint && options.fingerprint !== 'true' ? normaliseFingerprint(options.fingerprint) : null;
  const subject = options.subject && options.subject !== 'true' ? options.subject.trim() : null;
  if (!clear && !fingerprint && !subject) throw new CliUsageError('usage: lienthong agency bind-cert --code C --fingerprint HEX [--subject DN] | --clear');
  if (fingerprint && !/^[0-9a-f]{40,128}$/.test(fingerprint)) throw new CliUsageError('--fingerprint must be the certificate\'s SHA-1 or SHA-256 fingerprint in hex');
  await ctx.db.query(`UPDATE agencies SET client_cert_fingerprint = $2, client_cert_subject = $3 WHERE code = $1`, [code, clear ? null : fingerprint, clear ? null : subject]);
  await recordAudit(ctx.db, { actor: 'operator:cli', actorAgency: null, action: 'agency.bind_certificate', agency: code, detail: clear ? { cleared: true } : { fingerprint, subject } });
  ctx.out({ code, fingerprint: clear ? null : fingerprint, subject: clear ? null : subject }, clear ? `agency ${code}: client certificate binding removed` : `agency ${code}: keys now need the client certificate ${fingerprint ?? ''} ${subject ?? ''}`.trim());
}
