import { createHash } from 'node:crypto';
/** Who is on the other end of a request, as the gateway forwarded it. */
export interface ClientInfo {
  /** The client's IP (`x-client-ip`), or `unknown`. */
  ip: string;
  /** The client's user agent (`x-client-user-agent`), or empty. */
  userAgent: string;
}

/**
 * Where a try comes from (address and browser), as a short key: limits that would let a
 * stranger lock the owner out (password tries, SMS codes) count per account *and* source.
 */
export const sourceKey = (client: ClientInfo): string =>
  createHash('sha256').update(`${client.ip}\n${client.userAgent}`).digest('base64url').slice(0, 16);

/** A request's client where there are no forwarded headers (e.g. a WebSocket). */
export const unknownClient: ClientInfo = { ip: 'unknown', userAgent: '' };

/**
 * Reads the client headers the gateway forwards (x-client-ip, x-client-user-agent); only plain
 * values are kept (they end up in logs and on screens). These headers are trusted only because
 * nothing reaches /graphql without the gateway's signed token; the gateway sets them from the caller.
 */
export function readClient(header: (name: string) => string | undefined): ClientInfo {
  const ip = header('x-client-ip')?.trim() ?? '';
  const userAgent = (header('x-client-user-agent') ?? '')
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 300);
  return { ip: /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip : 'unknown', userAgent };
}

/** "Chrome 120 · Windows" from a user agent: what the verifier shows as the browser that asked. */
export function browserSummary(userAgent: string): string {
  const browsers: [RegExp, string][] = [
    [/MicroMessenger\/([\d]+)/, '微信'],
    [/Edg\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/Chrome\/(\d+)/, 'Chrome'],
    [/Version\/(\d+).*Safari\//, 'Safari'],
  ];
  const systems: [RegExp, string][] = [
    [/Windows NT/, 'Windows'],
    [/iPhone|iPad/, 'iOS'],
    [/Mac OS X/, 'macOS'],
    [/Android/, 'Android'],
    [/Linux/, 'Linux'],
  ];
  const browser = browsers
    .map(([re, name]) => {
      const m = re.exec(userAgent);
      return m ? `${name} ${m[1]}` : null;
    })
    .find(Boolean);
  const system = systems.find(([re]) => re.test(userAgent))?.[1];
  if (!browser && !system) return '未知浏览器';
  return [browser ?? '未知浏览器', system].filter(Boolean).join(' · ');
}
