import fs from 'node:fs';
import { once } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { findAgency } from '../../domain/agencies/agency.repository';
import { addTrustAnchor, devCa, listCertificates, listTrustAnchors, removeTrustAnchor, revokeCertificate, type TrustPurpose } from '../../domain/pki/agency-certificate.repository';
import { importCrl } from '../../pki/revocation/revocation-store';
import { pemBlocks } from '../../pki/x509-builder';
import { importAgencyCertificate, materialFromPem, materialFromPkcs12 } from '../../domain/pki/certificate-import';
import { describeCertificates } from '../../domain/pki/certificate-status';
import { DevModeRequiredError, ensureDevCa, issueDevCertificate } from '../../domain/pki/dev-pki';
import { CliUsageError, parseArgs, required, type CliContext, type CommandHandler } from '../cli-context';
import { startDevTsa } from '../../domain/pki/dev-tsa';
import { hubSealCommand } from './hub-seal.command';

const USAGE = `usage: lienthong pki dev-init | pki issue --agency C [--key-type rsa|ec] [--valid-days N]
  | pki import --agency C FILE.p12 [--password-env VAR] | pki import --agency C --cert CERT.pem --key KEY.pem [--chain CHAIN.pem] [--password-env VAR]
  | pki ca-cert | pki list [--agency C] | pki revoke --cert ID
  | pki trust add FILE.pem [--purpose signing|tsa|both] [--label L] | pki trust list | pki trust remove ID
  | pki crl import FILE.crl
  | pki dev-tsa [--port 3180]
  | pki hub-seal show | pki hub-seal import --cert C.pem --key K.pem [--chain CA.pem]   (the seal of receipts and evidence bundles)
  (the password variable must not start with LIENTHONG_: those are configuration keys)`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const oneLine = (subject: string): string => subject.replace(/\n/g, ', ');

function readFile(file: string | undefined, what: string): Buffer {
  if (!file || file === 'true') throw new CliUsageError(`${what} is required\n${USAGE}`);
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new CliUsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function passwordFrom(options: Record<string, string>): string | undefined {
  const name = options['password-env'];
  if (name === undefined) return undefined;
  const value = process.env[name];
  if (value === undefined) throw new CliUsageError(`--password-env ${name}: that environment variable is not set`);
  return value;
}

async function requireAgency(ctx: CliContext, code: string): Promise<{ code: string; name: string }> {
  const agency = await findAgency(ctx.db, code);
  if (!agency) throw new CliUsageError(`no agency ${code} in the directory (lienthong agency add)`);
  return agency;
}

async function importCommand(ctx: CliContext, positionals: string[], options: Record<string, string>): Promise<number> {
  const agency = await requireAgency(ctx, required(options, 'agency'));
  const password = passwordFrom(options);
  const material = options.cert
    ? materialFromPem(
        readFile(options.cert, '--cert').toString('utf8'),
        readFile(options.key, '--key').toString('utf8'),
        options.chain ? readFile(options.chain, '--chain').toString('utf8') : '',
        password,
      )
    : materialFromPkcs12(readFile(positionals[0], 'FILE.p12'), password ?? '');
  const imported = await importAgencyCertificate(ctx.db, ctx.config.masterKey, agency.code, material);
  ctx.out(
    imported,
    [`imported certificate ${imported.id} for ${agency.code}: ${imported.subject}`,
      `  serial ${imported.serial}, valid ${imported.notBefore.toISOString()} to ${imported.notAfter.toISOString()}`,
      ...imported.notes.map((n) => `  note: ${n}`)].join('\n'),
  );
  return 0;
}

async function listCommand(ctx: CliContext, options: Record<string, string>): Promise<number> {
  const rows = describeCertificates(await listCertificates(ctx.db, options.agency));
  const line = (c: (typeof rows)[number]): string => {
    const state = c.state === 'expired' ? 'EXPIRED' : c.state === 'revoked' ? 'REVOKED' : c.state;
    return (
      `${c.agencyCode.padEnd(16)} ${c.id} ${c.current ? '*' : ' '} ${c.notBefore.slice(0, 10)} → ${c.notAfter.slice(0, 10)} ` +
      `${String(c.daysLeft).padStart(5)} days  ${state}${c.warning ? `  ${c.warning}` : ''}\n    ${c.subject}  serial ${c.serial}`
    );
  };
  ctx.out(rows, rows.length ? `${rows.map(line).join('\n')}\n(* signs now)` : 'no certificates');
  return 0;
}

const PURPOSES: readonly TrustPurpose[] = ['signing', 'tsa', 'both'];

async function trustCommand(ctx: CliContext, positionals: string[], options: Record<string, string>): Promise<number> {
  const [action, file] = positionals;
  if (action === 'list') {
    const rows = (await listTrustAnchors(ctx.db)).map((a) => {
      const c = new X509Certificate(a.certPem);
      return { id: a.id, label: a.label, purpose: a.purpose, devCa: a.isDevCa, subject: oneLine(c.subject), fingerprint256: c.fingerprint256, notAfter: new Date(c.validTo).toISOString() };
    });
    ctx.out(rows, rows.map((r) => `${r.id} ${r.purpose.padEnd(7)} ${r.subject}${r.devCa ? ' (development CA)' : ''}\n    sha256 ${r.fingerprint256}, valid to ${r.notAfter}`).join('\n') || 'no trust anchors');
    return 0;
  }
  if (action === 'remove') {
    if (!file || !UUID.test(file)) throw new CliUsageError(`pki trust remove ID: the id from "pki trust list"\n${USAGE}`);
    const removed = await removeTrustAnchor(ctx.db, file);
    ctx.out({ id: file, removed }, removed ? `trust anchor ${file} removed` : `no removable trust anchor ${file} (the development CA stays)`);
    return removed ? 0 : 1;
  }
  if (action !== 'add') throw new CliUsageError(USAGE);
  const purpose = (options.purpose ?? 'signing') as TrustPurpose;
  if (!PURPOSES.includes(purpose)) throw new CliUsageError('--purpose must be signing (signer certificates), tsa (timestamp authorities) or both');
  const pem = readFile(file, 'FILE.pem').toString('utf8');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new CliUsageError(`${file} is not a PEM certificate: ${(err as Error).message}`);
  }
  if (!cert.ca) throw new CliUsageError(`${file} is not a CA certificate (basicConstraints CA:TRUE): trust anchors must be CAs`);
  const label = options.label ?? cert.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? oneLine(cert.subject);
  const result = await addTrustAnchor(ctx.db, label, pem, purpose);
  ctx.out({ ...result, purpose, subject: oneLine(cert.subject) }, result.added ? `trust anchor ${result.id} added for ${purpose}: ${oneLine(cert.subject)}` : `already trusted (${result.id})`);
  return 0;
}

/** pki crl import FILE: a CRL (DER or PEM) the operator obtained out of band. */
async function crlCommand(ctx: CliContext, positionals: string[]): Promise<number> {
  const [action, file] = positionals;
  if (action !== 'import') throw new CliUsageError(USAGE);
  const bytes = readFile(file, 'FILE.crl');
  const [pem] = pemBlocks(bytes.toString('latin1'), 'X509 CRL');
  let imported;
  try {
    imported = await importCrl(ctx.db, pem ?? bytes);
  } catch (err) {
    throw new CliUsageError(`${file} is not a CRL: ${(err as Error).message}`);
  }
  ctx.out(imported, `CRL imported (${imported.id}): ${imported.revoked} revoked certificate(s), issued ${imported.thisUpdate.toISOString()}`);
  return 0;
}

/** Runs in the foreground until Ctrl-C; point LIENTHONG_TSA_URL at the URL it prints. */
async function devTsaCommand(ctx: CliContext, options: Record<string, string>): Promise<number> {
  const port = Number(options.port ?? 3180);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError('--port must be a TCP port number');
  const { url, server } = await startDevTsa(ctx.db, ctx.config.masterKey, ctx.config.LIENTHONG_DEV_MODE, { port, host: options.host ?? '127.0.0.1' });
  ctx.out({ url }, `development TSA listening: LIENTHONG_TSA_URL=${url} (Ctrl-C stops it)`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  server.close();
  return 0;
}

/** lienthong pki dev-init|issue|import|ca-cert|list|revoke|trust|dev-tsa */
export const pkiCommand: CommandHandler = async (args, ctx) => {
  const [sub, ...rest] = args;
  const { positionals, options } = parseArgs(rest, { agency: 'string', 'key-type': 'string', 'valid-days': 'string', cert: 'string', key: 'string', chain: 'string', 'password-env': 'string', label: 'string', port: 'string', host: 'string', purpose: 'string' });
  const devMode = ctx.config.LIENTHONG_DEV_MODE;
  switch (sub) {
    case 'dev-init': {
      if (!devMode) throw new DevModeRequiredError();
      const existed = !!(await devCa(ctx.db));
      const cert = new X509Certificate(await ensureDevCa(ctx.db, ctx.config.masterKey, devMode));
      ctx.out(
        { created: !existed, subject: oneLine(cert.subject), fingerprint256: cert.fingerprint256 },
        `${existed ? 'development CA already present' : 'development CA created'}: ${oneLine(cert.subject)} (sha256 ${cert.fingerprint256})`,
      );
      return 0;
    }
    case 'issue': {
      if (!devMode) throw new DevModeRequiredError();
      const agency = await requireAgency(ctx, required(options, 'agency'));
      const keyType = options['key-type'] ?? 'rsa';
      if (keyType !== 'rsa' && keyType !== 'ec') throw new CliUsageError('--key-type must be rsa or ec');
      const validDays = options['valid-days'] ? Number(options['valid-days']) : undefined;
      const id = await issueDevCertificate(ctx.db, ctx.config.masterKey, devMode, agency, keyType, validDays ? { validDays } : {});
      const [issued] = describeCertificates((await listCertificates(ctx.db, agency.code)).filter((c) => c.id === id));
      ctx.out(issued, `issued ${keyType.toUpperCase()} certificate ${id} for ${agency.code}, valid to ${issued?.notAfter}`);
      return 0;
    }
    case 'import':
      return importCommand(ctx, positionals, options);
    case 'ca-cert': {
      const ca = await devCa(ctx.db);
      if (!ca) throw new Error('there is no development CA (lienthong pki dev-init, dev mode only)');
      ctx.out({ certPem: ca.certPem }, ca.certPem.trimEnd());
      return 0;
    }
    case 'list':
      return listCommand(ctx, options);
    case 'revoke': {
      const id = required(options, 'cert');
      if (!UUID.test(id)) throw new CliUsageError(`--cert ${id} is not a certificate id (see lienthong pki list)`);
      const revoked = await revokeCertificate(ctx.db, id);
      ctx.out({ id, revoked: !!revoked }, revoked ? `certificate ${id} of ${revoked.agencyCode} revoked: it signs no more` : `no active certificate ${id}`);
      return revoked ? 0 : 1;
    }
    case 'trust':
      return trustCommand(ctx, positionals, options);
    case 'crl':
      return crlCommand(ctx, positionals);
    case 'dev-tsa':
      return devTsaCommand(ctx, options);
    case 'hub-seal':
      return hubSealCommand(ctx, positionals, options);
    default:
      throw new CliUsageError(USAGE);
  }
};
