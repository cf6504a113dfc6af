// Child processes for the test environment: long-running servers under test/env/supervise.sh,
// one-shot commands with streamed, prefixed output, and polling helpers. Nothing here sleeps to
// synchronise: readiness is always a condition polled until it holds or a deadline passes.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ENV_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(ENV_DIR, "..", "..");
const SUPERVISE = join(ENV_DIR, "supervise.sh");
/** Seconds supervise.sh waits after TERM before it kills a server. */
const STOP_GRACE_SECONDS = 10;

const startedAt = Date.now();

/** Progress line on stderr, e.g. `[env +12.3s] kube: building kube-apiserver`. */
export function log(component: string, message: string): void {
  const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
  process.stderr.write(`[env +${elapsed}s] ${component}: ${message}\n`);
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function describeExit(exit: ExitInfo): string {
  return exit.signal === null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`;
}

function tailOf(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

const live = new Set<ServerProcess>();
let handlersInstalled = false;

/**
 * Makes sure no server outlives this process. On exit every live server is sent TERM, and so on a
 * signal nobody else handles (a handler such as run.ts's stops them in order instead: etcd must
 * outlive kube-apiserver, or the apiserver hangs in shutdown). supervise.sh also ends its child
 * when our end of its stdin pipe closes, which covers a SIGKILL that runs no handler at all.
 */
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const server of live) server.signal("SIGTERM");
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = (): void => {
      if (process.listenerCount(signal) > 0) return;
      for (const server of live) server.signal("SIGTERM");
      process.kill(process.pid, signal);
    };
    process.once(signal, handler);
  }
}

/** A server started under supervise.sh, with its stdout and stderr in a log file. */
export class ServerProcess {
  readonly name: string;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private exitInfo: ExitInfo | undefined;

  constructor(name: string, command: string, args: readonly string[], options: { logFile: string; cwd?: string }) {
    this.name = name;
    this.logFile = options.logFile;
    installExitHandlers();
    const out = openSync(options.logFile, "a");
    try {
      this.child = spawn("bash", [SUPERVISE, command, ...args], {
        cwd: options.cwd ?? REPO_ROOT,
        stdio: ["pipe", out, out],
        env: { ...process.env, SWITCHYARD_STOP_GRACE: String(STOP_GRACE_SECONDS) },
      });
    } finally {
      closeSync(out);
    }
    live.add(this);
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        this.child.stdin?.destroy();
        resolve(this.exitInfo);
      });
      this.child.once("error", (error) => {
        this.exitInfo = { code: null, signal: null };
        live.delete(this);
        log(this.name, `could not spawn: ${error.message}`);
        resolve(this.exitInfo);
      });
    });
    // Our end of the watchdog pipe; an EPIPE after the child is gone is expected and harmless.
    this.child.stdin?.on("error", () => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  hasExited(): ExitInfo | undefined {
    return this.exitInfo;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitInfo === undefined) this.child.kill(signal);
  }

  logTail(lines = 40): string {
    try {
      return tailOf(readFileSync(this.logFile, "utf8"), lines);
    } catch {
      return "(no log output)";
    }
  }

  /** Error describing an unexpected exit, with the end of the server's log. */
  exitError(exit: ExitInfo): Error {
    return new Error(`${this.name} ${describeExit(exit)} (log: ${this.logFile}); last lines:\n${this.logTail()}`);
  }

  /** TERM, then wait; supervise.sh escalates to KILL after the grace period. */
  async stop(): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.child.kill("SIGTERM");
    const deadline = (STOP_GRACE_SECONDS + 5) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), deadline);
    });
    const result = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (result === "timeout") {
      // Closing the pipe makes supervise.sh's watchdog end the server even if bash itself hangs.
      this.child.stdin?.destroy();
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once, with the end of its log, if this server exits while we wait. */
  server?: ServerProcess;
}

/**
 * Polls `probe` until it returns a value other than undefined. A probe that throws counts as not
 * ready yet; its last error is reported if the deadline passes.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    const exit = options.server?.hasExited();
    if (exit !== undefined && options.server !== undefined) {
      throw new Error(`waiting for ${what}: ${options.server.exitError(exit).message}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it), never one this process has
 * handed out before, so components started in parallel do not collide with each other.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => {
          if (address !== null && typeof address === "object") resolve(address.port);
          else reject(new Error("could not read the port of a probe listener"));
        });
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("the OS kept offering ports this process already handed out");
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Echo output lines to stderr, prefixed with the component name (progress of long builds). */
  echo?: boolean;
}

/**
 * Runs a command to completion and returns its stdout. Fails with the exit status and the end of
 * its output, so a failed install or build explains itself.
 */
export async function runCommand(
  component: string,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let combined = "";
  const echo = (chunk: Buffer): void => {
    const text = chunk.toString("utf8");
    combined = (combined + text).slice(-64_000);
    if (options.echo) {
      for (const line of text.split("\n")) if (line.trim() !== "") process.stderr.write(`  ${component} | ${line}\n`);
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    echo(chunk);
  });
  child.stderr.on("data", echo);
  // Long silent steps (a cold kube-apiserver build prints nothing for ten minutes) show they live.
  const started = Date.now();
  const heartbeat = options.echo
    ? setInterval(() => {
        const minutes = Math.round((Date.now() - started) / 60_000);
        log(component, `still running ${command} ${args.join(" ")} (${minutes} min)`);
      }, 60_000)
    : undefined;
  const exit = await new Promise<ExitInfo>((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`${component}: could not run ${command}: ${error.message}`)));
    child.once("close", (code, signal) => resolve({ code, signal }));
  }).finally(() => clearInterval(heartbeat));
  if (exit.code !== 0) {
    throw new Error(
      `${component}: \`${[command, ...args].join(" ")}\` ${describeExit(exit)}; last output:\n${tailOf(combined, 40)}`,
    );
  }
  return stdout;
}
