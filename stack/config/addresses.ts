/**
 * AddressMap says where the services named in `prometheus/*.yml` (compose service names such as
 * `agent:9101`, `alertmanager:9093`) really are: each key is a compose `host:port`, each value the
 * `host:port` to use instead, or null when that service does not run (its targets are dropped).
 * Addresses not in the map are left unchanged.
 */
export type AddressMap = ReadonlyMap<string, string | null>;

/** rewriteAddress maps one `host:port`; undefined means "drop it". */
export function rewriteAddress(map: AddressMap | undefined, address: string): string | undefined {
  if (!map || !map.has(address)) return address;
  return map.get(address) ?? undefined;
}

/** rewriteUrl maps the `host:port` of an http(s) URL; undefined means "drop it". */
export function rewriteUrl(map: AddressMap | undefined, url: string): string | undefined {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const to = rewriteAddress(map, `${u.hostname}:${port}`);
  if (to === undefined) return undefined;
  return `${u.protocol}//${to}${u.pathname === '/' && !url.endsWith('/') ? '' : u.pathname}${u.search}`;
}
