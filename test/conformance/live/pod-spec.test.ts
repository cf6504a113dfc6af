import { describe, expect, it } from "vitest";
import { addressAt } from "./loopback.ts";
import {
  containerEnvironment,
  echoPorts,
  isEchoBasic,
  type Pod,
  relocatePaths,
  runningStatus,
  secretFiles,
} from "./pod-spec.ts";

const pod: Pod = {
  metadata: { name: "infra-backend-v1-abc", namespace: "gateway-conformance-infra", uid: "u-1", labels: { app: "v1" } },
  spec: {
    containers: [
      {
        name: "echo",
        image: "registry.k8s.io/gateway-api/echo-basic:v1.5.1",
        env: [
          { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
          { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: "GREETING", value: "hello $(POD_NAME) $$(NOT) $(UNDEFINED)" },
          { name: "EMPTY" },
          { name: "FROM_SECRET", valueFrom: {} },
        ],
      },
    ],
  },
};
const facts = { podIP: "127.200.0.7", hostIP: "127.0.0.1", nodeName: "switchyard-live" };

describe("a container's environment from its Pod spec", () => {
  it("resolves literal values, downward-API fields and $(VAR) references as the kubelet does", () => {
    const [container] = pod.spec.containers;
    if (!container) throw new Error("fixture has no container");
    expect(containerEnvironment(pod, container, facts)).toEqual({
      POD_NAME: "infra-backend-v1-abc",
      NAMESPACE: "gateway-conformance-infra",
      IP: "127.200.0.7",
      APP: "v1",
      GREETING: "hello infra-backend-v1-abc $(NOT) $(UNDEFINED)",
      EMPTY: "",
    });
  });
});

describe("echo-basic", () => {
  it("is recognised by image path, with or without tag or digest", () => {
    expect(isEchoBasic("registry.k8s.io/gateway-api/echo-basic:v1.5.1")).toBe(true);
    expect(isEchoBasic("gcr.io/k8s-staging-gateway-api/echo-basic@sha256:abc")).toBe(true);
    expect(isEchoBasic("registry.k8s.io/coredns/coredns:v1.12.2")).toBe(false);
    expect(isEchoBasic("example.com/not-echo-basic:1")).toBe(false);
  });

  it("listens on 3000 and 3001 by default, and on 8443 only with a TLS certificate and key", () => {
    expect(echoPorts({})).toEqual({ http: 3000, h2c: 3001 });
    expect(echoPorts({ HTTP_PORT: "8080", TLS_SERVER_CERT: "/c", TLS_SERVER_PRIVKEY: "/k" })).toEqual({
      http: 8080,
      h2c: 3001,
      https: 8443,
    });
    expect(echoPorts({ HTTP_PORT: "not-a-port" }).http).toBe(3000);
  });
});

describe("the status of a running Pod", () => {
  it("is Running and Ready with its address, so EndpointSlices list it as ready", () => {
    const { status } = runningStatus(pod, facts, "2026-01-01T00:00:00Z");
    expect(status.phase).toBe("Running");
    expect(status.podIP).toBe("127.200.0.7");
    expect(status.podIPs).toEqual([{ ip: "127.200.0.7" }]);
    expect(status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(status.containerStatuses.map((c) => [c.name, c.ready])).toEqual([["echo", true]]);
  });
});

describe("loopback addresses", () => {
  it("count up across octet boundaries", () => {
    expect(addressAt("127.200.0.1", 0)).toBe("127.200.0.1");
    expect(addressAt("127.200.0.1", 255)).toBe("127.200.1.0");
    expect(() => addressAt("localhost", 1)).toThrow(/not an IPv4 address/);
  });
});

describe("Secret volumes", () => {
  const withVolume: Pod = {
    ...pod,
    spec: {
      containers: [
        { name: "tls", image: "echo-basic", volumeMounts: [{ name: "v", mountPath: "/etc/secret-volume/" }] },
      ],
      volumes: [{ name: "v", secret: { secretName: "s", items: [{ key: "tls.crt", path: "crt" }] } }],
    },
  };

  it("project the listed items (or every key) to files under the mount path", () => {
    const [container] = withVolume.spec.containers;
    if (!container) throw new Error("fixture has no container");
    expect(secretFiles(withVolume, container, () => ["tls.crt", "tls.key"])).toEqual([
      { secretName: "s", key: "tls.crt", containerPath: "/etc/secret-volume/crt" },
    ]);
    const allKeys = {
      ...withVolume,
      spec: { ...withVolume.spec, volumes: [{ name: "v", secret: { secretName: "s" } }] },
    };
    expect(secretFiles(allKeys, container, () => ["tls.crt", "tls.key"]).map((f) => f.containerPath)).toEqual([
      "/etc/secret-volume/tls.crt",
      "/etc/secret-volume/tls.key",
    ]);
  });

  it("move environment paths under a mount to the host directory that holds its files", () => {
    expect(
      relocatePaths(
        { CERT: "/etc/secret-volume/crt", OTHER: "/etc/secret-volume-other", N: "1" },
        ["/etc/secret-volume"],
        "/run/p",
      ),
    ).toEqual({ CERT: "/run/p/etc/secret-volume/crt", OTHER: "/etc/secret-volume-other", N: "1" });
  });
});
