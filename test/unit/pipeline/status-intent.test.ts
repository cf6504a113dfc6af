import { describe, expect, it } from "vitest";
import {
  batchStatusIntents,
  decodeStatusIntentMessage,
  encodeStatusIntentMessage,
  type StatusIntent,
  type StatusIntentMessage,
} from "../../../shared/pipeline/status-intent.ts";

const cond = (type: string, status: "True" | "False") => ({ type, status, reason: type, message: "m" });

function route(name: string, padding = 0): StatusIntent {
  return {
    kind: "HTTPRoute",
    namespace: "apps",
    name,
    observedGeneration: 2,
    controllerNames: ["switchyard.dev/alb"],
    parents: [
      {
        parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "gw" },
        controllerName: "switchyard.dev/alb",
        conditions: [{ ...cond("Accepted", "True"), message: "x".repeat(padding) }],
      },
    ],
  };
}

const gateway: StatusIntent = {
  kind: "Gateway",
  namespace: "apps",
  name: "gw",
  observedGeneration: 3,
  conditions: [cond("Accepted", "True"), cond("Programmed", "False")],
  listeners: [
    {
      name: "http",
      supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
      attachedRoutes: 1,
      conditions: [cond("Accepted", "True")],
    },
  ],
  addresses: [{ type: "Hostname", value: "lb.example" }],
  attachedListenerSets: 0,
};

const policy: StatusIntent = {
  kind: "BackendTLSPolicy",
  namespace: "apps",
  name: "tls",
  observedGeneration: 4,
  gateway: { namespace: "apps", name: "gw" },
  ancestors: [
    {
      ancestorRef: { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "apps", name: "gw" },
      controllerName: "switchyard.dev/alb",
      conditions: [cond("Accepted", "False")],
    },
  ],
  controllerNames: ["switchyard.dev/alb", "switchyard.dev/nlb"],
};

const message: StatusIntentMessage = {
  version: 1,
  cluster: "prod-eu",
  source: "prod-eu/apps/gw",
  intents: [{ ...gateway, uid: "6f1c2d3e-0000-4000-8000-000000000001" }, route("web"), policy],
};

function mutated(edit: (m: Record<string, unknown> & { intents: Record<string, unknown>[] }) => void): string {
  const copy = JSON.parse(encodeStatusIntentMessage(message));
  edit(copy);
  return JSON.stringify(copy);
}

describe("status intent messages", () => {
  it("round-trip through encode and decode unchanged", () => {
    expect(decodeStatusIntentMessage(encodeStatusIntentMessage(message))).toEqual({ ok: true, message });
  });

  it.each([
    ["not JSON", "{", "body is not JSON"],
    ["an array", "[]", "body: expected an object"],
    [
      "another version",
      mutated((m) => {
        m.version = 2;
      }),
      "version: expected 1, got 2",
    ],
    [
      "a bad cluster id",
      mutated((m) => {
        m.cluster = "Prod";
      }),
      "cluster: expected a cluster id",
    ],
    [
      "an unknown kind",
      mutated((m) => {
        (m.intents[1] as Record<string, unknown>).kind = "Service";
      }),
      "intents[1].kind: expected one of",
    ],
    [
      "no namespace",
      mutated((m) => {
        delete m.intents[0]?.namespace;
      }),
      "intents[0].namespace: expected a string",
    ],
    [
      "a negative generation",
      mutated((m) => {
        (m.intents[0] as Record<string, unknown>).observedGeneration = -1;
      }),
      "intents[0].observedGeneration: expected a non-negative integer",
    ],
    [
      "a bad condition status",
      mutated((m) => {
        ((m.intents[0] as { conditions: Record<string, unknown>[] }).conditions[1] as Record<string, unknown>).status =
          "yes";
      }),
      'intents[0].conditions[1].status: expected "True", "False" or "Unknown"',
    ],
    [
      "a route without parents",
      mutated((m) => {
        delete m.intents[1]?.parents;
      }),
      "intents[1].parents: expected an array",
    ],
    [
      "a policy entry for another Gateway than the intent's",
      mutated((m) => {
        const ancestors = (m.intents[2] as { ancestors: { ancestorRef: Record<string, unknown> }[] }).ancestors;
        if (ancestors[0]) ancestors[0].ancestorRef.name = "other";
      }),
      "intents[2].ancestors[0].ancestorRef: expected a reference to Gateway apps/gw",
    ],
    [
      "a policy entry of a controller the intent does not name",
      mutated((m) => {
        const ancestors = (m.intents[2] as { ancestors: Record<string, unknown>[] }).ancestors;
        if (ancestors[0]) ancestors[0].controllerName = "example.com/other";
      }),
      "intents[2].ancestors[0].controllerName: expected one of controllerNames",
    ],
    [
      "a policy intent without its Gateway",
      mutated((m) => {
        delete m.intents[2]?.gateway;
      }),
      "intents[2].gateway: expected an object",
    ],
  ])("a message with %s is refused with the field at fault", (_what, body, reason) => {
    const decoded = decodeStatusIntentMessage(body);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toContain(reason);
  });

  it("the decoder never throws on arbitrary JSON values", () => {
    const values = [
      null,
      1,
      "x",
      true,
      {},
      { version: 1 },
      { version: 1, cluster: "a", intents: [null] },
      { version: 1, cluster: "a", intents: [{ kind: "Gateway" }] },
    ];
    for (const value of values) expect(() => decodeStatusIntentMessage(JSON.stringify(value))).not.toThrow();
  });
});

describe("batching intents per cluster", () => {
  it("keeps every message under the limit and every intent, in order", () => {
    const intents = Array.from({ length: 400 }, (_, i) => route(`route-${i}`, 200));
    const { bodies, oversized } = batchStatusIntents("prod-eu", intents, { maxBytes: 16 * 1024 });
    expect(bodies.length).toBeGreaterThan(1);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(16 * 1024);
    const decoded = bodies.map((b) => decodeStatusIntentMessage(b));
    const names = decoded.flatMap((d) => (d.ok ? d.message.intents.map((i) => i.name) : ["undecodable"]));
    expect(names).toEqual(intents.map((i) => i.name));
    expect(oversized).toEqual([]);
  });

  it("fills messages rather than sending one per intent", () => {
    const intents = Array.from({ length: 50 }, (_, i) => route(`route-${i}`));
    expect(batchStatusIntents("prod-eu", intents).bodies).toHaveLength(1);
  });

  it("sets aside an intent that alone exceeds the limit", () => {
    const huge = route("huge", 20_000);
    const { bodies, oversized } = batchStatusIntents("prod-eu", [route("a"), huge, route("b")], { maxBytes: 8 * 1024 });
    expect(oversized).toEqual([huge]);
    expect(
      bodies.flatMap((b) => {
        const d = decodeStatusIntentMessage(b);
        return d.ok ? d.message.intents.map((i) => i.name) : [];
      }),
    ).toEqual(["a", "b"]);
  });
});

describe("a route intent scoped to one Gateway", () => {
  const scoped = {
    ...(route("web") as Extract<StatusIntent, { parents: unknown }>),
    scope: { gateway: { namespace: "apps", name: "gw" }, listenerSets: [] },
  };
  const body = (intent: StatusIntent) =>
    encodeStatusIntentMessage({ version: 1, cluster: "prod-eu", source: "prod-eu/apps/gw", intents: [intent] });

  it("round-trips with its scope", () => {
    expect(decodeStatusIntentMessage(body(scoped))).toEqual({
      ok: true,
      message: expect.objectContaining({ intents: [scoped] }),
    });
  });

  it("is refused with an entry for a parent outside its scope", () => {
    const other = { ...scoped, scope: { gateway: { namespace: "apps", name: "gw2" }, listenerSets: [] } };
    const decoded = decodeStatusIntentMessage(body(other));
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? "" : decoded.reason).toContain("intents[0].parents[0].parentRef");
  });
});
