import type { Request } from 'express';
import type { Config } from '../../config/config';

/**
 * LIENTHONG_TRUSTED_PROXIES as Express's `trust proxy` setting: the addresses of the TLS proxies
 * in front of the gateway, or false (no proxy is trusted: X-Forwarded-For from a client is
 * ignored and req.ip is the peer's address).
 */
export function trustedProxySetting(config: Pick<Config, 'LIENTHONG_TRUSTED_PROXIES'>): string[] | false {
  const list = (config.LIENTHONG_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? list : false;
}

/**
 * Did this request come straight from a trusted proxy? Only then are the headers the proxy adds
 * (the client certificate it verified) believed. Uses the function Express compiled from the
 * same setting, so the two can never disagree.
 */
export function fromTrustedProxy(req: Request): boolean {
  const trust = req.app.get('trust proxy fn') as ((addr: string, hop: number) => boolean) | undefined;
  const peer = req.socket.remoteAddress;
  return Boolean(trust && peer && trust(peer, 0));
}
