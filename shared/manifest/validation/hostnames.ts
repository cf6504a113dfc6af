/**
 * Hostname fields: the schema formats (wildcard-capable and precise) and the TLSRoute v1 CEL
 * rules, which restate the format and add that a hostname may not be an IP address.
 */
import { isCelIP } from "./ip.ts";
import { DNS_SUBDOMAIN, HOSTNAME, matches, RFC1123_HOSTNAME } from "./patterns.ts";
import { item, listRule, type Rule, type StringNode, str } from "./schema.ts";

/** A hostname that may start with `*.` (listener and route hostnames). */
export const hostname = (): StringNode => str({ pattern: HOSTNAME, minLength: 1, maxLength: 253 });

/** A hostname without wildcard (redirect and rewrite targets, BackendTLSPolicy validation). */
export const preciseHostname = (): StringNode => str({ pattern: DNS_SUBDOMAIN, minLength: 1, maxLength: 253 });

function eachString(items: readonly unknown[], visit: (h: string, index: number) => void): void {
  items.forEach((h, i) => {
    if (typeof h === "string") visit(h, i);
  });
}

// TLSRoute v1: no hostname may be an IP address (CEL isIP).
const notAnIP: Rule = listRule("hostnames may not be IP addresses", (items, at, report) => {
  eachString(items, (h, i) => {
    if (isCelIP(h)) report(item(at, i), `${JSON.stringify(h)} is an IP address; TLSRoute hostnames must be DNS names`);
  });
});

// TLSRoute v1: a hostname without '*' must be an RFC 1123 name.
const plainIsRfc1123: Rule = listRule("hostnames without '*' must be RFC 1123 names", (items, at, report) => {
  eachString(items, (h, i) => {
    if (!h.includes("*") && !matches(RFC1123_HOSTNAME, h))
      report(
        item(at, i),
        `${JSON.stringify(h)} is not ${RFC1123_HOSTNAME.meaning} (must match ${RFC1123_HOSTNAME.source})`,
      );
  });
});

// TLSRoute v1: a '*' may only appear as the whole first label, followed by an RFC 1123 name.
const wildcardIsFirstLabel: Rule = listRule("a wildcard must be the whole first label", (items, at, report) => {
  eachString(items, (h, i) => {
    if (h.includes("*") && !(h.startsWith("*.") && matches(RFC1123_HOSTNAME, h.slice(2))))
      report(
        item(at, i),
        `${JSON.stringify(h)}: a wildcard must be the first label ("*.") followed by an RFC 1123 hostname`,
      );
  });
});

export const tlsRouteHostnameRules: readonly Rule[] = [notAnIP, plainIsRfc1123, wildcardIsFirstLabel];
