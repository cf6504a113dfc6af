// The real components behind the integration tests, each started on 127.0.0.1 from binaries
// cached outside the repository (see test/env/README.md):
//   moto           moto_server (AWS APIs: ELBv2, EC2, STS, SQS, ...)
//   dynamodb       DynamoDB Local
//   kube           etcd + kube-apiserver with the Gateway API CRDs (test/env/kube.ts)
//   lattice        the VPC Lattice emulator, in this process (test/env/lattice/)
// startEnvironment() starts the requested ones in parallel and returns the environment variables
// through which tests find them, and a stop function. No process outlives the run.
import { mkdtemp, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { startKube } from "./kube.ts";
import { startLattice } from "./lattice/component.ts";
import { ENV_DIR, freePort, log, runCommand, ServerProcess, waitFor } from "./process.ts";
import { COMPONENTS, type ComponentContext, type ComponentName, ENV, type RunningComponent } from "./variables.ts";

export { COMPONENTS, type ComponentName, ENV } from "./variables.ts";

export interface Environment {
  runDir: string;
  variables: Record<string, string>;
  stop(): Promise<void>;
}

/** Parses a list like "moto,kube"; undefined or empty means every component. */
export function parseComponents(value: string | undefined): ComponentName[] {
  if (value === undefined || value.trim() === "") return [...COMPONENTS];
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !(COMPONENTS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown component(s) ${unknown.join(", ")} in SWITCHYARD_COMPONENTS; known: ${COMPONENTS.join(", ")}`,
    );
  }
  return COMPONENTS.filter((name) => names.includes(name));
}

export function cacheRoot(): string {
  return process.env.SWITCHYARD_CACHE ?? join(homedir(), ".cache", "switchyard");
}

async function httpStatus(url: string, init?: RequestInit): Promise<number> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status;
}

export async function startMoto(ctx: ComponentContext): Promise<RunningComponent> {
  log("moto", "installing or reusing the moto venv (test/env/moto.sh)");
  await runCommand("moto", "bash", [join(ENV_DIR, "moto.sh"), "install"], { echo: true });
  const port = await freePort();
  const server = new ServerProcess("moto_server", "bash", [join(ENV_DIR, "moto.sh"), "start", String(port)], {
    logFile: join(ctx.runDir, "moto.log"),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `moto_server on ${endpoint}`,
      async () => ((await httpStatus(`${endpoint}/moto-api/`)) === 200 ? true : undefined),
      { timeoutMs: 60_000, server },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  log("moto", `ready on ${endpoint}`);
  return { name: "moto", variables: { [ENV.motoEndpoint]: endpoint }, stop: () => server.stop() };
}

export async function startDynamoDb(ctx: ComponentContext): Promise<RunningComponent> {
  log("dynamodb", "installing or reusing DynamoDB Local (test/env/dynamodb.sh)");
  await runCommand("dynamodb", "bash", [join(ENV_DIR, "dynamodb.sh"), "install"], { echo: true });
  const port = await freePort();
  const server = new ServerProcess("DynamoDB Local", "bash", [join(ENV_DIR, "dynamodb.sh"), "start", String(port)], {
    logFile: join(ctx.runDir, "dynamodb.log"),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "probe", secretAccessKey: "probe" },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 1_000, throwOnRequestTimeout: true },
  });
  try {
    await waitFor(
      `DynamoDB Local on ${endpoint}`,
      async () => ((await client.send(new ListTablesCommand({}))).TableNames ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 200, server },
    );
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    client.destroy();
  }
  log("dynamodb", `ready on ${endpoint}`);
  return { name: "dynamodb", variables: { [ENV.dynamoDbEndpoint]: endpoint }, stop: () => server.stop() };
}

const starters: Record<ComponentName, (ctx: ComponentContext) => Promise<RunningComponent>> = {
  moto: startMoto,
  dynamodb: startDynamoDb,
  kube: startKube,
  lattice: startLattice,
};

/**
 * Starts the named components in parallel. If any fails, the others are stopped and the error
 * names every failure; the run directory (with each server's log) is kept for inspection.
 */
export async function startEnvironment(names: readonly ComponentName[]): Promise<Environment> {
  const runDir = await mkdtemp(join(process.env.SWITCHYARD_RUN_DIR_PARENT ?? tmpdir(), "switchyard-env-"));
  const ctx: ComponentContext = { runDir, cacheRoot: cacheRoot() };
  log("env", `starting ${names.join(", ")} (cache ${ctx.cacheRoot}, run dir ${runDir})`);
  const results = await Promise.allSettled(names.map((name) => starters[name](ctx)));
  const running = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failures = results.flatMap((result, index) =>
    result.status === "rejected" ? [`${names[index]}: ${errorText(result.reason)}`] : [],
  );
  if (failures.length > 0) {
    await Promise.allSettled(running.map((component) => component.stop()));
    throw new Error(`the test environment could not start (logs kept in ${runDir}):\n${failures.join("\n\n")}`);
  }
  const variables = Object.assign({}, ...running.map((component) => component.variables)) as Record<string, string>;
  for (const component of running) component.connect?.(variables);
  log("env", `ready: ${names.join(", ")}`);
  return {
    runDir,
    variables,
    async stop() {
      // Reverse start order; each component stops its own processes in dependency order.
      const stops = await Promise.allSettled(running.reverse().map((component) => component.stop()));
      const stopFailures = stops.flatMap((result) => (result.status === "rejected" ? [errorText(result.reason)] : []));
      if (stopFailures.length > 0 || process.env.SWITCHYARD_KEEP_RUN_DIR === "1") {
        log("env", `stopped; run dir kept: ${runDir}`);
        if (stopFailures.length > 0)
          throw new Error(`stopping the test environment failed:\n${stopFailures.join("\n")}`);
        return;
      }
      await rm(runDir, { recursive: true, force: true });
      log("env", "stopped");
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
