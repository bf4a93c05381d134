import type { Config } from '../../config/config';
import type { Queryable } from '../../db/pool';
import { startDevTsa } from '../pki/dev-tsa';
import type { TsaSettings } from './ledger-anchor';

/**
 * The TSA anchors are asked: LIENTHONG_TSA_URL (or an explicit URL); in dev mode without one, a
 * development TSA started for the call (issued by the development CA, like `make run`'s).
 * undefined when there is none. `close` stops what was started.
 */
export async function anchorTsa(db: Queryable, config: Config, url?: string): Promise<{ tsa: TsaSettings; close(): void } | undefined> {
  const configured = url ?? config.LIENTHONG_TSA_URL;
  if (configured) return { tsa: { url: configured, timeoutMs: config.LIENTHONG_TSA_TIMEOUT_MS }, close: () => undefined };
  if (!config.LIENTHONG_DEV_MODE) return undefined;
  const dev = await startDevTsa(db, config.masterKey, true);
  return { tsa: { url: dev.url, timeoutMs: config.LIENTHONG_TSA_TIMEOUT_MS }, close: () => dev.server.close() };
}
