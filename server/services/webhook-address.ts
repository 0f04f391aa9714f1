import dns from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/**
 * Names that cloud providers answer with instance credentials. They resolve
 * to link-local addresses (refused anyway), but some resolvers answer only
 * inside the cloud, so they are refused by name as well.
 */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** Why a webhook target is refused; the message is what admins see, at save and in the delivery log. */
export class WebhookTargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetRefused';
  }
}

/**
 * Whether an address is public unicast: not loopback, private (RFC 1918,
 * ULA), link-local (169.254/16 with the metadata address, fe80::/10), CGNAT,
 * unspecified, multicast, broadcast or reserved. Only ipaddr.js's "unicast"
 * passes; IPv4-mapped IPv6 is judged as the IPv4 it carries, and the IPv6
 * prefixes that tunnel to an IPv4 address (6to4, Teredo, NAT64) are refused,
 * since they could reach a private one.
 *
 * @example isPublicAddress('127.0.0.1') === false; isPublicAddress('93.184.216.34') === true
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  return address.range() === 'unicast';
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a webhook URL's host and checks every address it resolves to;
 * the caller connects to the address returned, never resolving again, so a
 * DNS answer that changes between the check and the connection (rebinding)
 * cannot swap in a private address. With allowPrivate (WEBHOOK_ALLOW_PRIVATE)
 * any address passes.
 */
export async function resolveWebhookTarget(url: string, allowPrivate: boolean): Promise<ResolvedTarget> {
  const parsed = new URL(url);
  // URL keeps IPv6 literals in brackets; WHATWG parsing already turned 0x7f.1 or 2130706433 into dotted IPv4.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  if (!allowPrivate && METADATA_HOSTS.has(host)) throw new WebhookTargetRefused('refused: cloud metadata address');
  let addresses: { address: string; family: number }[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = await dns.lookup(host, { all: true, verbatim: true });
    } catch {
      throw new WebhookTargetRefused(`refused: ${host} does not resolve`);
    }
  }
  if (!addresses.length) throw new WebhookTargetRefused(`refused: ${host} does not resolve`);
  // One private answer is enough to refuse: which one a connection would take is not ours to choose.
  if (!allowPrivate && addresses.some((a) => !isPublicAddress(a.address))) throw new WebhookTargetRefused('refused: private address');
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
