import type { CookieOptions, Request } from 'express';

export function parseCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    // The first occurrence wins, as browsers send the most specific cookie first.
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(value);
      } catch {
        out[name] = value;
      }
    }
  }
  return out;
}

export interface CookieNames {
  session: string;
  preAuth: string;
}

/** With HTTPS the __Host- prefix pins cookies to this host and path, unsettable by subdomains. */
export function cookieNames(secure: boolean): CookieNames {
  return secure ? { session: '__Host-lt_session', preAuth: '__Host-lt_pre' } : { session: 'lt_session', preAuth: 'lt_pre' };
}

export function cookieOptions(secure: boolean, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, secure, sameSite: 'lax', path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}
