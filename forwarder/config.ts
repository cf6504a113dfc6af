/**
 * The forwarder's configuration, from environment variables, validated at start so a bad
 * Deployment fails at once with every problem named rather than at the first event.
 */

export interface ForwarderConfig {
  clusterId: string;
  queueUrl: string;
  region: string;
  claimCheckBucket: string;
  /** Watch only these namespaces (namespaced kinds); undefined: all. */
  namespaces: string[] | undefined;
  listenHost: string;
  listenPort: number;
  snapshotIntervalMs: number;
  endpointSliceWindowMs: number;
  kindRecheckIntervalMs: number;
  bufferCapacity: number;
  /** For local runs against an AWS-compatible endpoint; unset in a cluster. */
  sqsEndpoint: string | undefined;
  s3Endpoint: string | undefined;
  /** Import listener certificate Secrets into ACM (in this cluster's account and region). */
  acmImport: boolean;
  acmEndpoint: string | undefined;
  /**
   * Via-forwarder status mode: this cluster's status queue, which the forwarder pulls status intents
   * from and writes to /status with its own credentials. Unset: status is not the forwarder's
   * business (direct mode). Optional so that configurations built in code need not name it.
   */
  statusQueueUrl?: string | undefined;
}

export const ENV = {
  clusterId: "SWITCHYARD_CLUSTER_ID",
  queueUrl: "SWITCHYARD_EVENTS_QUEUE_URL",
  region: "AWS_REGION",
  bucket: "SWITCHYARD_CLAIM_CHECK_BUCKET",
  namespaces: "SWITCHYARD_NAMESPACES",
  listen: "SWITCHYARD_LISTEN",
  snapshotInterval: "SWITCHYARD_SNAPSHOT_INTERVAL_SECONDS",
  endpointSliceWindow: "SWITCHYARD_ENDPOINTSLICE_WINDOW_MS",
  kindRecheckInterval: "SWITCHYARD_KIND_RECHECK_SECONDS",
  bufferCapacity: "SWITCHYARD_BUFFER_CAPACITY",
  sqsEndpoint: "SWITCHYARD_SQS_ENDPOINT",
  s3Endpoint: "SWITCHYARD_S3_ENDPOINT",
  acmImport: "SWITCHYARD_ACM_IMPORT",
  acmEndpoint: "SWITCHYARD_ACM_ENDPOINT",
  statusQueueUrl: "SWITCHYARD_STATUS_QUEUE_URL",
} as const;

const CLUSTER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export type ConfigResult = { ok: true; config: ForwarderConfig } | { ok: false; problems: string[] };

export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const required = (name: string, check: (v: string) => string | undefined): string => {
    const value = read(name);
    if (value === undefined) {
      problems.push(`${name} is required`);
      return "";
    }
    const problem = check(value);
    if (problem !== undefined) problems.push(`${name}=${JSON.stringify(value)}: ${problem}`);
    return value;
  };
  const positive = (name: string, fallback: number, unit: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) {
      problems.push(`${name}=${JSON.stringify(value)}: must be a positive number`);
      return fallback;
    }
    return Math.round(parsed * unit);
  };
  const url = (name: string): string | undefined => {
    const value = read(name);
    if (value !== undefined && !URL.canParse(value)) problems.push(`${name}=${JSON.stringify(value)}: not a URL`);
    return value;
  };

  const clusterId = required(ENV.clusterId, (v) =>
    CLUSTER_ID.test(v) ? undefined : "1-64 letters, digits, '.', '_' or '-', starting alphanumeric",
  );
  const queueUrl = required(ENV.queueUrl, (v) =>
    !URL.canParse(v) ? "not a URL" : v.endsWith(".fifo") ? undefined : "must be a FIFO queue (name ending in .fifo)",
  );
  const region = required(ENV.region, (v) => (/^[a-z]{2}(-[a-z]+)+-\d$/.test(v) ? undefined : "not an AWS region"));
  const claimCheckBucket = required(ENV.bucket, (v) => (BUCKET.test(v) ? undefined : "not an S3 bucket name"));

  let namespaces: string[] | undefined;
  const namespaceList = read(ENV.namespaces);
  if (namespaceList !== undefined) {
    namespaces = [...new Set(namespaceList.split(",").map((n) => n.trim()))].filter((n) => n !== "");
    for (const namespace of namespaces) {
      if (!DNS_LABEL.test(namespace))
        problems.push(`${ENV.namespaces}: ${JSON.stringify(namespace)} is not a namespace name`);
    }
    if (namespaces.length === 0) namespaces = undefined;
  }

  let listenHost = "0.0.0.0";
  let listenPort = 8080;
  const listen = read(ENV.listen);
  if (listen !== undefined) {
    const match = /^(.*):(\d{1,5})$/.exec(listen);
    const port = Number(match?.[2]);
    if (match === null || match[1] === undefined || match[1] === "" || port > 65535) {
      problems.push(`${ENV.listen}=${JSON.stringify(listen)}: expected host:port, e.g. 0.0.0.0:8080`);
    } else {
      listenHost = match[1];
      listenPort = port;
    }
  }

  let acmImport = true;
  const acmImportValue = read(ENV.acmImport);
  if (acmImportValue !== undefined) {
    if (acmImportValue === "true" || acmImportValue === "false") acmImport = acmImportValue === "true";
    else problems.push(`${ENV.acmImport}=${JSON.stringify(acmImportValue)}: expected true or false`);
  }

  const config: ForwarderConfig = {
    clusterId,
    queueUrl,
    region,
    claimCheckBucket,
    namespaces,
    listenHost,
    listenPort,
    snapshotIntervalMs: positive(ENV.snapshotInterval, 300_000, 1000),
    endpointSliceWindowMs: positive(ENV.endpointSliceWindow, 1000, 1),
    kindRecheckIntervalMs: positive(ENV.kindRecheckInterval, 60_000, 1000),
    bufferCapacity: positive(ENV.bufferCapacity, 1000, 1),
    sqsEndpoint: url(ENV.sqsEndpoint),
    s3Endpoint: url(ENV.s3Endpoint),
    acmImport,
    acmEndpoint: url(ENV.acmEndpoint),
    statusQueueUrl: url(ENV.statusQueueUrl),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}
