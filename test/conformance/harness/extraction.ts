/**
 * The extractor's JSON (test/conformance/README.md, `schemaVersion: 1`), as far as the harness
 * reads it, and the one way to get it: run `extract.sh`, which builds or reuses the cached file
 * and prints its path. Fields the harness does not read are left out of these types.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const SCHEMA_VERSION = 1;

export interface NamespacedName {
  namespace: string;
  name: string;
}

export interface ExpectedCondition {
  type: string;
  status: string;
  reason: string;
}

/** `NewGatewayRef` / `NewResourceRef`: a parent and optionally the listeners named. */
export interface GatewayRef extends NamespacedName {
  group?: string;
  kind?: string;
  listenerNames?: string[];
}

/** A Gateway address the suite obtained at run time (`$runtime: gatewayAddress`). */
export interface GatewayAddress {
  $runtime: string;
  gateway: GatewayRef;
  /** A port the test joined to the address itself (`net.JoinHostPort(gwAddr, "443")`). */
  port?: string;
}

export interface StepCondition {
  source: string;
  value: unknown;
  feature?: string;
  featureSupported?: boolean;
}

export interface HttpRequestCase {
  testCaseName?: string;
  request: {
    scheme: "http" | "https";
    host?: string;
    method: string;
    path: string;
    headers?: Record<string, string>;
    protocol?: string;
    body?: string;
    unfollowRedirect?: boolean;
    sni?: string;
  };
  requestIdQueryParam?: { name: string; value: unknown };
  entropy?: boolean;
  expectedRequest: {
    method?: string;
    path?: string;
    host?: string;
    headers?: Record<string, string>;
    absentHeaders?: string[];
    httpPort?: string;
  } | null;
  redirectRequest?: { scheme?: string; host?: string; port?: string; path?: string };
  backendSetResponseHeaders?: Record<string, string>;
  response?: {
    statusCodes?: number[];
    headers?: Record<string, string>;
    validHeaderValues?: Record<string, string[]>;
    absentHeaders?: string[];
    protocol?: string;
  };
  backend: string;
  namespace: string;
  mirroredTo?: { name: string; namespace: string; percent?: number }[];
  serverName?: string;
}

export interface GrpcRequestCase {
  testCaseName?: string;
  method: string;
  fullMethod: string;
  requestMetadata?: { authority?: string; metadata?: Record<string, string> };
  entropy?: boolean;
  response: { code: string; codeNumber: number };
  backend: string;
  namespace: string;
}

export interface Mutation {
  operation: string;
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  patchType?: string;
  edits?: { path: string; op: "set" | "append"; value: unknown; source: string }[];
  objects?: Record<string, unknown>[];
  object?: Record<string, unknown>;
}

interface StepBase {
  position: string;
  subtest: string[];
  helper: string;
  conditions?: StepCondition[];
  loops?: { kind: string; count?: number; source: string }[];
  source?: string;
  reason?: string;
}

export interface StatusStep extends StepBase {
  kind: "status";
  args: Record<string, unknown>;
}

export interface HttpRequestStep extends StepBase {
  kind: "httpRequest" | "httpRoundTrip";
  literal: string;
  expect?: "response" | "nonOkStatus" | "requestFailure";
  /** Absent when the extractor lost the Gateway (see addressFromArgs in runner.ts). */
  address?: GatewayAddress;
  args?: Record<string, unknown>;
  case: HttpRequestCase;
}

export interface GrpcRequestStep extends StepBase {
  kind: "grpcRequest";
  literal: string;
  address: GatewayAddress;
  case: GrpcRequestCase;
}

export interface WeightStep extends StepBase {
  kind: "weightDistribution";
  address: GatewayAddress;
  weights: Record<string, number>;
  /** Absent for senders the extractor does not type (the UDP echo sender). */
  sampleKind?: "http" | "grpc" | "tcp";
  sample?: HttpRequestCase | GrpcRequestCase;
}

export interface MutationStep extends StepBase {
  kind: "mutation";
  mutation: Mutation;
}

export interface OtherStep extends StepBase {
  kind: "tcpRequest" | "udpRequest" | "goAssertion" | "call" | "sleep" | "skip" | "unresolved";
  address?: GatewayAddress;
  args?: Record<string, unknown>;
  /** tcpRequest: tcp.ExpectedResponse; udpRequest: udp.ExpectedResponse. */
  case?: Record<string, unknown>;
}

export type Step = StatusStep | HttpRequestStep | GrpcRequestStep | WeightStep | MutationStep | OtherStep;

export interface ConformanceTestEntry {
  shortName: string;
  description: string;
  position: string;
  mesh: boolean;
  registered: boolean;
  features: string[];
  provisional?: boolean;
  manifests: string[];
  testBodyFrom?: string;
  analysed: boolean;
  steps: Step[];
}

export interface Extraction {
  schemaVersion: number;
  sources: { module: string; version: string; dir: string }[];
  features: Record<string, string>;
  tests: ConformanceTestEntry[];
  unanalysed: unknown[];
  unresolved: unknown[];
}

const EXTRACT_SCRIPT = join(import.meta.dirname, "..", "extract.sh");

/** Runs extract.sh (cheap once cached) and reads the JSON it points at. */
export function loadExtraction(): Extraction {
  const path = execFileSync("bash", [EXTRACT_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Extraction;
  if (parsed.schemaVersion !== SCHEMA_VERSION) {
    throw new Error(`${path}: extractor schemaVersion ${parsed.schemaVersion}, the harness reads ${SCHEMA_VERSION}`);
  }
  return parsed;
}

/** The conformance module's directory (manifests are read from there, never copied). */
export function conformanceModuleDir(extraction: Extraction): string {
  const source = extraction.sources.find((s) => s.module === "sigs.k8s.io/gateway-api/conformance");
  if (!source) throw new Error("extractor JSON names no sigs.k8s.io/gateway-api/conformance source");
  return source.dir;
}

export function isGatewayAddress(value: unknown): value is GatewayAddress {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { $runtime?: unknown }).$runtime === "gatewayAddress" &&
    typeof (value as { gateway?: unknown }).gateway === "object"
  );
}
