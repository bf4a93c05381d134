import type { Db } from '../../../services/db/pool';
import { createUser } from '../../../services/domain/users/user.repository';
import type { Role } from '../../../services/domain/users/roles';
import { uniqueTag } from '../../support/test-env';

export interface WebResponse {
  status: number;
  text: string;
  headers: Headers;
  location: string | null;
}

/** A browser stand-in for HTTP-level tests: a cookie jar, no redirects followed, CSRF read from pages. */
export class WebClient {
  readonly cookies = new Map<string, string>();

  /** `headers`: sent with every request (X-Forwarded-For, as a trusted proxy would add it). */
  constructor(readonly baseUrl: string, readonly headers: Record<string, string> = {}) {}

  private remember(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, body?: URLSearchParams | FormData): Promise<WebResponse> {
    const res = await fetch(`${this.baseUrl}${path}`, { method, body, redirect: 'manual', headers: { ...this.headers, cookie: this.cookieHeader() } });
    this.remember(res);
    return { status: res.status, text: await res.text(), headers: res.headers, location: res.headers.get('location') };
  }

  get(path: string): Promise<WebResponse> {
    return this.request('GET', path);
  }

  /** Posts a form; the CSRF token is read from `fromPage` first unless `csrf: false`. */
  async post(path: string, fields: Record<string, string | string[]>, opts: { csrf?: boolean; fromPage?: string } = {}): Promise<WebResponse> {
    const form = new URLSearchParams();
    if (opts.csrf !== false) form.append('_csrf', await this.csrf(opts.fromPage ?? '/'));
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    return this.request('POST', path, form);
  }

  async csrf(pagePath: string): Promise<string> {
    const page = await this.get(pagePath);
    const m = /name="_csrf" value="([^"]+)"/.exec(page.text);
    if (!m) throw new Error(`no CSRF token on ${pagePath} (status ${page.status})`);
    return m[1]!;
  }

  async signIn(username: string, password: string): Promise<WebResponse> {
    return this.post('/sign-in', { username, password }, { fromPage: '/' });
  }
}

/** A user with a known password; usernames are unique per run. */
export async function createWebUser(db: Db, agencyCode: string, role: Role): Promise<{ username: string; password: string }> {
  const username = `${role}.${uniqueTag(8).toLowerCase()}`;
  const password = `mk-${uniqueTag(12)}`;
  await createUser(db, { agencyCode, username, role, password });
  return { username, password };
}
