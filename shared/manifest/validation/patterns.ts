/**
 * The string formats the Gateway API schemas enforce, each with the words a message uses for it.
 * `source` is kept in the exact form the CRD states it, so the schema-fidelity test can compare
 * them literally; `regex` is how it runs here (Go RE2 and JavaScript agree on every construct used).
 */

export interface Pattern {
  /** What a matching value is, for messages: "a DNS-1123 label". */
  readonly meaning: string;
  /** The expression as the CRD writes it. */
  readonly source: string;
  readonly regex: RegExp;
}

export function definePattern(meaning: string, source: string): Pattern {
  // RE2's leading `(?i)` has no JavaScript spelling; it becomes the `i` flag.
  const insensitive = source.startsWith("^(?i)");
  const body = insensitive ? `^${source.slice("^(?i)".length)}` : source;
  return { meaning, source, regex: new RegExp(body, insensitive ? "i" : "") };
}

export function matches(p: Pattern, value: string): boolean {
  return p.regex.test(value);
}

// Building blocks (RFC 1123 labels, in the spelling kubebuilder emits).
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const URI_PATH_CHARS = "[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+";

export const GROUP = definePattern("an API group (empty, or a DNS subdomain)", `^$|^${SUBDOMAIN}$`);
export const KIND = definePattern(
  "a Kind (letters, digits and '-', starting with a letter)",
  "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$",
);
export const DNS_LABEL = definePattern("a DNS-1123 label", `^${LABEL}$`);
export const DNS_SUBDOMAIN = definePattern("a DNS-1123 subdomain", `^${SUBDOMAIN}$`);
export const HOSTNAME = definePattern("an RFC 1123 hostname, optionally starting with '*.'", `^(\\*\\.)?${SUBDOMAIN}$`);
/** The same expression CEL rules spell with an extra group around the whole name. */
export const RFC1123_HOSTNAME = definePattern("an RFC 1123 hostname", `^(${SUBDOMAIN})$`);
export const HEADER_NAME = definePattern(
  "an HTTP header name (RFC 7230 token characters)",
  "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$",
);
export const HEADER_VALUE = definePattern(
  "an HTTP header value (visible ASCII, single spaces or tabs between words, no CR/LF)",
  "^[!-~]+([\\t ]?[!-~]+)*$",
);
export const DURATION = definePattern(
  "a Gateway API duration (1-4 groups of up to 5 digits with h, m, s or ms, e.g. 1h30m or 500ms)",
  "^([0-9]{1,5}(h|m|s|ms)){1,4}$",
);
export const PROTOCOL = definePattern(
  "a protocol name (e.g. HTTP, HTTPS, TLS, TCP, UDP) or a domain-prefixed protocol (example.com/proto)",
  `^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|${SUBDOMAIN}\\/[A-Za-z0-9]+$`,
);
export const ADDRESS_TYPE = definePattern(
  "an address type (IPAddress, Hostname, NamedAddress, or a domain-prefixed type)",
  `^Hostname|IPAddress|NamedAddress|${SUBDOMAIN}\\/${URI_PATH_CHARS}$`,
);
export const CONTROLLER_NAME = definePattern(
  "a domain-prefixed path (e.g. example.com/gateway-controller)",
  `^${SUBDOMAIN}\\/${URI_PATH_CHARS}$`,
);
export const LABEL_VALUE = definePattern(
  "a label value (up to 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)",
  "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
);
export const QUALIFIED_KEY = definePattern(
  "a qualified key (an optional DNS subdomain prefix and '/', then a name of up to 63 characters)",
  `^(${SUBDOMAIN}/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$`,
);
export const CORS_ORIGIN = definePattern(
  "'*' or an origin scheme://host[:port] (http or https; the host may start with '*.')",
  "(^\\*$)|(^(http(s)?):\\/\\/(((\\*\\.)?([a-zA-Z0-9\\-]+\\.)*[a-zA-Z0-9-]+|\\*)(:([0-9]{1,5}))?)$)",
);
export const PATH_CHARACTERS = definePattern(
  "a URL path (unreserved and sub-delim characters, '/', ':', '@', or %XX escapes)",
  "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$",
);
export const SAN_URI = definePattern(
  "a URI with a scheme and an authority (scheme://authority/path)",
  "^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\\?([^#]*))?(#(.*))?",
);
export const WELL_KNOWN_CA = definePattern(
  "'System' or a domain-prefixed name",
  `^(System|(${SUBDOMAIN}/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]))$`,
);
export const GRPC_SERVICE = definePattern(
  "a gRPC service name (dot-separated identifiers, optionally starting with '.')",
  "^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$",
);
export const GRPC_METHOD = definePattern("a gRPC method name (an identifier)", "^[A-Za-z_][A-Za-z_0-9]*$");
