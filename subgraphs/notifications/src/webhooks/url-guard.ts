import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook must never reach (SSRF): this host, private networks, link-local
 * (cloud metadata at 169.254.169.254), shared, reserved, documentation and multicast ranges.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is private, loopback, link-local or otherwise not a public host. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true; // not an address at all
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Why a webhook URL is refused, or null. https only, no credentials or fragment, and every
 * address its name resolves to public; `allowPrivate` (development, tests) also lets http and
 * private or loopback addresses through. The sender checks the address again when it connects
 * (`guardedLookup`), so a name re-pointed after registration (DNS rebinding) is refused too.
 */
export async function endpointUrlProblem(
  value: string,
  allowPrivate: boolean,
): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '地址无效。';
  }
  if (value.length > 2000) return '地址过长（最多2000字符）。';
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:'))
    return '接收地址须使用 https。';
  if (url.username || url.password || url.hash) return '接收地址不能包含账号、密码或片段。';
  if (allowPrivate) return null;
  const host = hostOf(url);
  let addresses: string[];
  try {
    addresses = isIP(host)
      ? [host]
      : (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return `无法解析域名 ${host}。`;
  }
  if (addresses.length === 0) return `无法解析域名 ${host}。`;
  if (addresses.some(isPrivateAddress)) return '接收地址不能指向内网、本机或链路本地地址。';
  return null;
}

/** The refusal a connection to a private address fails with (the delivery log shows it). */
export class BlockedAddressError extends Error {
  constructor(readonly address: string) {
    super(`拒绝连接内网或本机地址 ${address}`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * A `lookup` for http.request that resolves as usual and refuses private addresses, so the
 * address checked is the one connected to.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as unknown as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new BlockedAddressError(bad.address), '', 0);
    if ((options as { all?: boolean }).all) return callback(null, list as never);
    const first = list[0];
    if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
    callback(null, first.address, first.family);
  });
};
