/**
 * Cookies an application sets during one call, sent back on its later requests for
 * that call (Twilio keeps them per call; per conversation for messaging). Enough of
 * RFC 6265 for session state: name, value, domain and path matching, Max-Age/Expires.
 */
interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly expires: number | undefined;
}

export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  store(url: URL, setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) this.#storeOne(url, line);
  }

  #storeOne(url: URL, line: string): void {
    const [pair, ...attributes] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair === undefined || eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let domain = url.hostname.toLowerCase();
    let hostOnly = true;
    let path = url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1) || '/';
    let expires: number | undefined;
    for (const attribute of attributes) {
      const [k = '', ...rest] = attribute.split('=');
      const key = k.trim().toLowerCase();
      const v = rest.join('=').trim();
      if (key === 'domain' && v) {
        const d = v.replace(/^\./, '').toLowerCase();
        if (domain !== d && !domain.endsWith(`.${d}`)) return;
        domain = d;
        hostOnly = false;
      } else if (key === 'path' && v.startsWith('/')) path = v;
      else if (key === 'max-age' && /^-?\d+$/.test(v)) expires = this.#now() + Number(v) * 1000;
      else if (key === 'expires' && expires === undefined) {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    const key = `${domain};${path};${name}`;
    if (expires !== undefined && expires <= this.#now()) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, domain, hostOnly, path, expires });
  }

  /** The Cookie header for a request to `url`, or undefined. */
  header(url: URL): string | undefined {
    const host = url.hostname.toLowerCase();
    const now = this.#now();
    const parts: string[] = [];
    for (const [key, c] of this.#cookies) {
      if (c.expires !== undefined && c.expires <= now) {
        this.#cookies.delete(key);
        continue;
      }
      const domainMatch = c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`);
      const pathMatch = url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`);
      if (domainMatch && pathMatch) parts.push(`${c.name}=${c.value}`);
    }
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
}
