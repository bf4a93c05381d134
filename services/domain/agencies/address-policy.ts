import net from 'node:net';

/**
 * Which addresses a push may connect to. A push carries a signed document and the X-LienThong-*
 * headers: an endpoint (or a name that resolves, or later re-resolves) pointing inside our own
 * network would turn the worker into a proxy for anyone who can register an endpoint (SSRF).
 *
 * Refused always: unspecified addresses and cloud metadata services. Refused unless the operator
 * allowed the agency's private endpoint (`agency add|update --allow-private-endpoint`): loopback,
 * private (RFC 1918, carrier-grade NAT, IPv6 unique-local), link-local, and the other reserved ranges.
 */
export type AddressClass = 'unspecified' | 'metadata' | 'loopback' | 'private' | 'link-local' | 'reserved';

const ALWAYS_REFUSED: ReadonlySet<AddressClass> = new Set(['unspecified', 'metadata']);

export const ADDRESS_CLASS_VI: Record<AddressClass, string> = {
  unspecified: 'địa chỉ không xác định',
  metadata: 'địa chỉ dịch vụ metadata đám mây',
  loopback: 'địa chỉ loopback (chính máy chủ)',
  private: 'địa chỉ mạng nội bộ',
  'link-local': 'địa chỉ link-local',
  reserved: 'dải địa chỉ dành riêng',
};

function list(entries: [string, number, 'ipv4' | 'ipv6'][]): net.BlockList {
  const b = new net.BlockList();
  for (const [prefix, bits, type] of entries) b.addSubnet(prefix, bits, type);
  return b;
}

const METADATA = ['169.254.169.254', '169.254.170.2', '100.100.100.200', '168.63.129.16', 'fd00:ec2::254'];

const CLASSES: [AddressClass, net.BlockList][] = [
  ['unspecified', list([['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']])],
  ['loopback', list([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']])],
  ['link-local', list([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']])],
  ['private', list([['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['100.64.0.0', 10, 'ipv4'], ['fc00::', 7, 'ipv6']])],
  [
    'reserved',
    list([
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['224.0.0.0', 4, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
    ]),
  ],
];

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The class of a special address, or null for an ordinary public one. */
export function classifyAddress(raw: string): AddressClass | null {
  const address = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = net.isIP(address);
  if (family === 0) return 'reserved'; // not an address at all: never connect to it
  const v4 = family === 6 ? embeddedIpv4(address) : undefined;
  if (v4) return classifyAddress(v4);
  if (METADATA.includes(address.toLowerCase())) return 'metadata';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, blocks] of CLASSES) if (blocks.check(address, type)) return cls;
  return null;
}

/** Why a push may not connect to `address` (a Vietnamese phrase), or null when it may. */
export function addressRefusal(address: string, allowPrivate: boolean): string | null {
  const cls = classifyAddress(address);
  if (cls === null) return null;
  if (allowPrivate && !ALWAYS_REFUSED.has(cls)) return null;
  return `${ADDRESS_CLASS_VI[cls]} ${address}`;
}

/**
 * What to tell the operator after a refusal of `address`: how to allow it when an agency option can
 * (private, loopback, link-local), nothing when no option can (unspecified, metadata).
 */
export function refusalAdvice(address: string): string {
  const cls = classifyAddress(address);
  return cls === null || ALWAYS_REFUSED.has(cls) ? '' : ' (cho phép bằng --allow-private-endpoint nếu đó đúng là hệ thống của cơ quan)';
}

/** Rules knowable from the URL alone (scheme, an address literal): null when it passes. */
export function endpointUrlProblem(raw: string, allowHttp: boolean, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `địa chỉ điểm nhận không hợp lệ: ${raw}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `điểm nhận phải là http(s), không phải ${url.protocol.replace(/:$/, '')}`;
  if (url.protocol === 'http:' && !allowHttp) return 'điểm nhận phải dùng https (http chỉ được dùng ở chế độ phát triển)';
  if (url.username || url.password) return 'địa chỉ điểm nhận không được chứa tên đăng nhập hay mật khẩu';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    const why = addressRefusal(host, allowPrivate);
    if (why) return `điểm nhận ở ${why}: bị từ chối${refusalAdvice(host)}`;
  }
  return null;
}

