/**
 * What the pod stand-in (pod-standin.ts) reads from a Pod and writes back, as pure functions: the
 * environment a container gets from its spec, which ports the suite's echo backend listens on, and
 * the status a kubelet reports for a running, ready Pod.
 */

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

export interface Container {
  name: string;
  image: string;
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string }[];
  ports?: { containerPort: number; protocol?: string }[];
}

export interface Pod {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    resourceVersion?: string;
  };
  spec: {
    nodeName?: string;
    schedulerName?: string;
    containers: Container[];
    serviceAccountName?: string;
    volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
  };
  status?: { phase?: string; podIP?: string };
}

/** The suite's echo backend image (`registry.k8s.io/gateway-api/echo-basic:<tag>` in v1.6.1). */
export function isEchoBasic(image: string): boolean {
  const path = image.split("@")[0]?.replace(/:[^/:]*$/, "") ?? "";
  return path.endsWith("/echo-basic") || path === "echo-basic";
}

export interface PodFacts {
  podIP: string;
  hostIP: string;
  nodeName: string;
}

/**
 * The field a `fieldRef` names, as the kubelet resolves it (downward API). Unknown paths resolve
 * to undefined and the variable is left out, as a kubelet would refuse to start the container.
 */
function fieldValue(pod: Pod, facts: PodFacts, fieldPath: string): string | undefined {
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace;
    case "metadata.uid":
      return pod.metadata.uid;
    case "spec.nodeName":
      return facts.nodeName;
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName ?? "default";
    case "status.podIP":
      return facts.podIP;
    case "status.hostIP":
      return facts.hostIP;
    default: {
      const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
      if (label?.[1]) return pod.metadata.labels?.[label[1]];
      const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
      if (annotation?.[1]) return pod.metadata.annotations?.[annotation[1]];
      return undefined;
    }
  }
}

/** `$(VAR)` references to earlier variables expand; `$$` escapes a `$` (as the kubelet does). */
function expand(value: string, defined: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && name in defined ? (defined[name] ?? "") : match;
  });
}

/** The container's environment from its spec: literal values and downward-API fields. */
export function containerEnvironment(pod: Pod, container: Container, facts: PodFacts): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = expand(variable.value, env);
    else if (variable.valueFrom?.fieldRef) {
      const value = fieldValue(pod, facts, variable.valueFrom.fieldRef.fieldPath);
      if (value !== undefined) env[variable.name] = value;
    } else if (variable.valueFrom === undefined) env[variable.name] = "";
  }
  return env;
}

/** The ports echo-basic opens, from its environment (defaults as in echo-basic.go). */
export function echoPorts(env: Record<string, string>): { http: number; h2c: number; https?: number } {
  const port = (name: string, fallback: number) => {
    const n = Number(env[name]);
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : fallback;
  };
  const tls = (env.TLS_SERVER_CERT ?? "") !== "" && (env.TLS_SERVER_PRIVKEY ?? "") !== "";
  return {
    http: port("HTTP_PORT", 3000),
    h2c: port("H2C_PORT", 3001),
    ...(tls ? { https: port("HTTPS_PORT", 8443) } : {}),
  };
}

/** The status a kubelet reports once every container runs and is ready. */
export function runningStatus(pod: Pod, facts: PodFacts, now: string) {
  const ready = (type: string) => ({ type, status: "True", lastTransitionTime: now });
  return {
    status: {
      phase: "Running",
      hostIP: facts.hostIP,
      hostIPs: [{ ip: facts.hostIP }],
      podIP: facts.podIP,
      podIPs: [{ ip: facts.podIP }],
      startTime: now,
      conditions: [
        ready("PodReadyToStartContainers"),
        ready("Initialized"),
        ready("Ready"),
        ready("ContainersReady"),
        ready("PodScheduled"),
      ],
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: "",
        containerID: `switchyard-live://${pod.metadata.uid}/${c.name}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    },
  };
}

/** A file the kubelet would project from a Secret into a container's mount. */
export interface SecretFile {
  secretName: string;
  key: string;
  /** The path inside the container, e.g. `/etc/secret-volume/crt`. */
  containerPath: string;
}

/** The files of every Secret volume the container mounts (all keys when `items` is absent). */
export function secretFiles(pod: Pod, container: Container, keysOf: (secretName: string) => string[]): SecretFile[] {
  const files: SecretFile[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const secret = pod.spec.volumes?.find((v) => v.name === mount.name)?.secret;
    if (!secret) continue;
    const items = secret.items ?? keysOf(secret.secretName).map((key) => ({ key, path: key }));
    for (const item of items) {
      files.push({
        secretName: secret.secretName,
        key: item.key,
        containerPath: `${mount.mountPath.replace(/\/$/, "")}/${item.path}`,
      });
    }
  }
  return files;
}

/**
 * The environment with container paths under a mount rewritten to where the stand-in put the
 * mount's files on the host (`hostRoot` + the container path): the process runs without a
 * filesystem namespace of its own.
 */
export function relocatePaths(
  env: Record<string, string>,
  mountPaths: readonly string[],
  hostRoot: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const under = mountPaths.some((m) => value === m || value.startsWith(`${m.replace(/\/$/, "")}/`));
    out[name] = under ? `${hostRoot}${value}` : value;
  }
  return out;
}
