import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { addHubSeal, hubSealIdentity } from '../../domain/receipts/hub-seal';
import { derToPem, pemBlocks } from '../../pki/x509-builder';
import { CliUsageError, required, type CliContext } from '../cli-context';

const read = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliUsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
};

/** lienthong pki hub-seal show | pki hub-seal import --cert C.pem --key K.pem [--chain CA.pem] */
export async function hubSealCommand(ctx: CliContext, positionals: string[], options: Record<string, string>): Promise<number> {
  const [action] = positionals;
  if (action === 'import') {
    const chainPem = options.chain ? pemBlocks(read(options.chain), 'CERTIFICATE').map((der) => derToPem(der, 'CERTIFICATE')) : [];
    const id = await addHubSeal(ctx.db, ctx.config.masterKey, read(required(options, 'cert')), read(required(options, 'key')), chainPem);
    ctx.out({ id }, `hub seal certificate ${id} imported: receipts and evidence bundles are signed with it from now on`);
    return 0;
  }
  if (action === 'show') {
    const identity = await hubSealIdentity(ctx.db, ctx.config.masterKey, ctx.config.LIENTHONG_DEV_MODE);
    const cert = new X509Certificate(identity.certificate);
    const pem = derToPem(identity.certificate, 'CERTIFICATE');
    ctx.out({ subject: cert.subject, validTo: cert.validTo, certPem: pem }, pem.trimEnd());
    return 0;
  }
  throw new CliUsageError('usage: lienthong pki hub-seal show | pki hub-seal import --cert C.pem --key K.pem [--chain CA.pem]');
}
