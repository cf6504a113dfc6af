/**
 * Listeners, as a Gateway and a ListenerSet declare them, with the CRD's defaults (allowedRoutes
 * from Same; tls mode Terminate) and its rules on the listener list: which protocols take `tls`
 * or a hostname, HTTPS terminates, TLS names a mode, names are unique, and so is each
 * port + protocol + hostname combination.
 */
import { GATEWAY_GROUP } from "../../gateway-api/types.ts";
import { hostname } from "./hostnames.ts";
import { DNS_SUBDOMAIN, PROTOCOL } from "./patterns.ts";
import { group, kind, labelSelector, portNumber, secretObjectReference } from "./references.ts";
import {
  type ArrayNode,
  child,
  item,
  list,
  listRule,
  map,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  sibling,
  str,
} from "./schema.ts";
import { duplicateEntry } from "./structural.ts";
import { has, isUnsetString, recordField, recordsOf, sizeOf, stringField } from "./values.ts";

const DEFAULT_ALLOWED_ROUTES = { namespaces: { from: "Same" } } as const;

// CRD rule on listener TLS: terminating TLS needs a certificate (or implementation options).
const terminateNeedsCertificate: Rule = objectRule("Terminate needs certificateRefs or options", (self, at, report) => {
  if (self.mode === "Terminate" && !((sizeOf(self, "certificateRefs") ?? 0) > 0 || (sizeOf(self, "options") ?? 0) > 0))
    report(
      child(at, "certificateRefs"),
      "must list at least one certificate (or set tls options) when mode is Terminate",
    );
});

function listenerTLS(): ObjectNode {
  return obj(
    {
      certificateRefs: list(secretObjectReference(), { maxItems: 64, listType: "atomic" }),
      mode: str({ enum: ["Terminate", "Passthrough"], default: "Terminate" }),
      options: map(str({ minLength: 0, maxLength: 4096 }), { maxProperties: 16 }),
    },
    { rules: [terminateNeedsCertificate] },
  );
}

function allowedRoutes(): ObjectNode {
  return obj(
    {
      kinds: list(obj({ group: group(GATEWAY_GROUP), kind: kind() }, { required: ["kind"] }), {
        maxItems: 8,
        listType: "atomic",
      }),
      namespaces: obj(
        { from: str({ enum: ["All", "Selector", "Same"], default: "Same" }), selector: labelSelector() },
        { default: DEFAULT_ALLOWED_ROUTES.namespaces },
      ),
    },
    { default: DEFAULT_ALLOWED_ROUTES },
  );
}

function listener(): ObjectNode {
  return obj(
    {
      allowedRoutes: allowedRoutes(),
      hostname: hostname(),
      name: str({ pattern: DNS_SUBDOMAIN, minLength: 1, maxLength: 253 }),
      port: portNumber(),
      protocol: str({ pattern: PROTOCOL, minLength: 1, maxLength: 255 }),
      tls: listenerTLS(),
    },
    { required: ["name", "port", "protocol"] },
  );
}

function eachListener(
  items: readonly unknown[],
  visit: (l: Record<string, unknown>, index: number, protocol: string | undefined) => void,
): void {
  for (const { item: l, index } of recordsOf(items)) visit(l, index, stringField(l, "protocol"));
}

const listenerRules: readonly Rule[] = [
  listRule("no tls for HTTP, TCP, UDP", (items, at, report) => {
    eachListener(items, (l, i, protocol) => {
      if ((protocol === "HTTP" || protocol === "TCP" || protocol === "UDP") && has(l, "tls"))
        report(
          child(item(at, i), "tls"),
          `must not be set for protocol ${protocol} (only HTTPS and TLS listeners take tls)`,
        );
    });
  }),
  listRule("HTTPS terminates", (items, at, report) => {
    eachListener(items, (l, i, protocol) => {
      const tls = recordField(l, "tls");
      if (protocol === "HTTPS" && tls && !(isUnsetString(tls, "mode") || tls.mode === "Terminate"))
        report(
          child(child(item(at, i), "tls"), "mode"),
          `must be Terminate for protocol HTTPS (got ${JSON.stringify(tls.mode)})`,
        );
    });
  }),
  listRule("TLS sets a mode", (items, at, report) => {
    eachListener(items, (l, i, protocol) => {
      const tls = recordField(l, "tls");
      if (protocol === "TLS" && !(tls && has(tls, "mode") && tls.mode !== ""))
        report(child(item(at, i), "tls"), "required for protocol TLS, with a mode (Terminate or Passthrough)");
    });
  }),
  listRule("no hostname for TCP, UDP", (items, at, report) => {
    eachListener(items, (l, i, protocol) => {
      if ((protocol === "TCP" || protocol === "UDP") && !isUnsetString(l, "hostname"))
        report(
          child(item(at, i), "hostname"),
          `must not be set for protocol ${protocol} (hostnames apply to HTTP, HTTPS and TLS)`,
        );
    });
  }),
  listRule("listener names unique", (items, at, report) => {
    const listeners = recordsOf(items);
    for (const { item: l, index: j } of listeners) {
      const first = listeners.find(({ item: o, index: i }) => i < j && o.name === l.name);
      if (first) report(child(item(at, j), "name"), duplicateEntry(at, first.index, ["name"], [l.name]));
    }
  }),
  listRule("port + protocol + hostname unique", (items, at, report) => {
    const listeners = recordsOf(items);
    const sameHost = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      has(a, "hostname") && has(b, "hostname") ? a.hostname === b.hostname : !has(a, "hostname") && !has(b, "hostname");
    for (const { item: l, index: j } of listeners) {
      const first = listeners.find(
        ({ item: o, index: i }) => i < j && o.port === l.port && o.protocol === l.protocol && sameHost(o, l),
      );
      if (first)
        report(
          item(at, j),
          `port ${String(l.port)}, protocol ${String(l.protocol)} and hostname ${has(l, "hostname") ? JSON.stringify(l.hostname) : "(none)"} are the same as ${sibling(at, first.index)}; each combination may be used by one listener only`,
        );
    }
  }),
];

export function listeners(): ArrayNode {
  return list(listener(), { minItems: 1, maxItems: 64, listType: "map", listMapKeys: ["name"], rules: listenerRules });
}
