/**
 * The request an Application Load Balancer listener evaluates, as the client sent it.
 *
 * `host` is the Host header verbatim, so it may carry a port (`example.com:8443`); `port` is the
 * listener port the request arrived on. `path` is the path of the URL only and `query` the raw
 * query string without its `?`: ALB matches them separately (PathPatternConditionConfig).
 * `sourceIp` is the address of the peer that connected to the load balancer, not anything taken
 * from X-Forwarded-For (SourceIpConditionConfig).
 */
export interface AlbRequest {
  method: string;
  scheme: "http" | "https";
  host: string;
  port: number;
  path: string;
  /** Raw, without the leading `?`. Absent and empty both mean "no query string". */
  query?: string;
  headers?: Record<string, string | string[]>;
  sourceIp?: string;
}

/**
 * The host name in a Host header: the header without a trailing `:port`. An IPv6 literal keeps
 * its brackets (`[2001:db8::1]:443` → `[2001:db8::1]`).
 */
export function hostName(hostHeader: string): string {
  if (hostHeader.startsWith("[")) {
    const close = hostHeader.indexOf("]");
    return close === -1 ? hostHeader : hostHeader.slice(0, close + 1);
  }
  const colon = hostHeader.indexOf(":");
  if (colon === -1 || hostHeader.indexOf(":", colon + 1) !== -1) return hostHeader;
  return /^\d*$/.test(hostHeader.slice(colon + 1)) ? hostHeader.slice(0, colon) : hostHeader;
}

/** The query string if there is one worth a `?`. */
export function presentQuery(query: string | undefined): string | undefined {
  return query === undefined || query === "" ? undefined : query;
}

/**
 * Every value of a header, in request order. Header names compare case-insensitively; a name the
 * record holds under several spellings contributes each spelling's values in record order.
 */
export function headerValues(headers: AlbRequest["headers"], name: string): string[] {
  if (headers === undefined) return [];
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    if (typeof value === "string") values.push(value);
    else values.push(...value);
  }
  return values;
}
