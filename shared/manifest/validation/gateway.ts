/**
 * Gateway spec: listeners (see listeners.ts), requested addresses (IP values must be IPs, Hostname
 * values hostnames, values unique per type), infrastructure labels/annotations, Gateway-level TLS,
 * and which namespaces' ListenerSets may attach (`allowedListeners`, None by default).
 */

import { isOpenApiIPv4, isOpenApiIPv6 } from "./ip.ts";
import { listeners } from "./listeners.ts";
import { ADDRESS_TYPE, HOSTNAME, LABEL_VALUE, matches, QUALIFIED_KEY } from "./patterns.ts";
import {
  group,
  kind,
  labelSelector,
  objectName,
  objectReferenceWithNamespace,
  portNumber,
  secretObjectReference,
} from "./references.ts";
import {
  type Channel,
  child,
  entry,
  item,
  list,
  listRule,
  map,
  mapRule,
  type ObjectNode,
  obj,
  objectRule,
  type Rule,
  sibling,
  str,
} from "./schema.ts";
import { duplicateEntry } from "./structural.ts";
import { numberField, recordsOf, stringField } from "./values.ts";

const DEFAULT_ALLOWED_LISTENERS = { namespaces: { from: "None" } } as const;

// The CRD's oneOf on an address: an IPAddress value must be an IPv4 or IPv6 address.
const ipAddressValue: Rule = objectRule("IPAddress values are IPs", (self, at, report) => {
  const value = stringField(self, "value");
  if (self.type === "IPAddress" && value !== undefined && !isOpenApiIPv4(value) && !isOpenApiIPv6(value))
    report(child(at, "value"), `${JSON.stringify(value)} is not a valid IPv4 or IPv6 address (type IPAddress)`);
});

// CRD rule on an address: a Hostname value is empty or a hostname.
const hostnameValue: Rule = objectRule("Hostname values are hostnames", (self, at, report) => {
  const value = stringField(self, "value");
  if (self.type === "Hostname" && value !== undefined && !matches(HOSTNAME, value))
    report(
      child(at, "value"),
      `${JSON.stringify(value)} is not ${HOSTNAME.meaning} (type Hostname; must match ${HOSTNAME.source})`,
    );
});

// Two CRD rules on addresses: IPAddress values, and Hostname values, are each unique.
function uniqueValues(type: string): Rule {
  return listRule(`${type} values unique`, (items, at, report) => {
    const addresses = recordsOf(items).filter(({ item: a }) => a.type === type && a.value !== undefined);
    for (const { item: a, index: j } of addresses) {
      const first = addresses.find(({ item: o, index: i }) => i < j && o.value === a.value);
      if (first)
        report(
          child(item(at, j), "value"),
          `duplicate ${type} ${JSON.stringify(a.value)}: ${sibling(at, first.index)} has the same value`,
        );
    }
  });
}

function address(): ObjectNode {
  return obj(
    {
      type: str({ pattern: ADDRESS_TYPE, minLength: 1, maxLength: 253, default: "IPAddress" }),
      value: str({ maxLength: 253 }),
    },
    { rules: [hostnameValue], combinators: [ipAddressValue] },
  );
}

// Two CRD rules each on infrastructure labels and annotations: keys are qualified names whose
// prefix is shorter than 253 characters.
function qualifiedKeyRules(what: string): Rule[] {
  return [
    mapRule(`${what} keys are qualified names`, (self, at, report) => {
      for (const key of Object.keys(self))
        if (!matches(QUALIFIED_KEY, key))
          report(entry(at, key), `key ${JSON.stringify(key)} is not ${QUALIFIED_KEY.meaning}`);
    }),
    mapRule(`${what} key prefixes under 253 characters`, (self, at, report) => {
      for (const key of Object.keys(self)) {
        const prefix = key.split("/")[0] ?? "";
        if (prefix.length >= 253)
          report(entry(at, key), `key prefix must be shorter than 253 characters (got ${prefix.length})`);
      }
    }),
  ];
}

function frontendValidation(): ObjectNode {
  return obj({
    validation: obj(
      {
        caCertificateRefs: list(objectReferenceWithNamespace(), { minItems: 1, maxItems: 16, listType: "atomic" }),
        mode: str({ enum: ["AllowValidOnly", "AllowInsecureFallback"], default: "AllowValidOnly" }),
      },
      { required: ["caCertificateRefs"] },
    ),
  });
}

// CRD rule on per-port frontend TLS: one entry per port.
const uniquePorts: Rule = listRule("per-port TLS ports unique", (items, at, report) => {
  const entries = recordsOf(items);
  for (const { item: e, index: j } of entries) {
    const first = entries.find(({ item: o, index: i }) => i < j && numberField(o, "port") === numberField(e, "port"));
    if (first) report(child(item(at, j), "port"), duplicateEntry(at, first.index, ["port"], [e.port]));
  }
});

function gatewayTLS(): ObjectNode {
  return obj({
    backend: obj({ clientCertificateRef: secretObjectReference() }),
    frontend: obj(
      {
        default: frontendValidation(),
        perPort: list(obj({ port: portNumber(), tls: frontendValidation() }, { required: ["port", "tls"] }), {
          maxItems: 64,
          listType: "map",
          listMapKeys: ["port"],
          rules: [uniquePorts],
        }),
      },
      { required: ["default"] },
    ),
  });
}

export function gatewaySpec(channel: Channel): ObjectNode {
  return obj(
    {
      addresses: list(address(), {
        maxItems: 16,
        listType: "atomic",
        rules: [uniqueValues("IPAddress"), uniqueValues("Hostname")],
      }),
      allowedListeners: obj({
        namespaces: obj(
          { from: str({ enum: ["All", "Selector", "Same", "None"], default: "None" }), selector: labelSelector() },
          { default: DEFAULT_ALLOWED_LISTENERS.namespaces },
        ),
      }),
      gatewayClassName: str({ minLength: 1, maxLength: 253 }),
      infrastructure: obj({
        annotations: map(str({ minLength: 0, maxLength: 4096 }), {
          maxProperties: 16,
          rules: qualifiedKeyRules("annotation"),
        }),
        labels: map(str({ pattern: LABEL_VALUE, minLength: 0, maxLength: 63 }), {
          maxProperties: 8,
          rules: qualifiedKeyRules("label"),
        }),
        parametersRef: obj(
          { group: group(), kind: kind(), name: objectName() },
          { required: ["group", "kind", "name"] },
        ),
      }),
      listeners: listeners(),
      tls: gatewayTLS(),
    },
    {
      required: ["gatewayClassName", "listeners"],
      experimental: { channel, fields: { defaultScope: str({ enum: ["All", "None"] }) } },
    },
  );
}
