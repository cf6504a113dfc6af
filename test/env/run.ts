// Starts components by hand and keeps them running until Ctrl-C:
//
//   node test/env/run.ts                 every component
//   node test/env/run.ts kube            only etcd + kube-apiserver (with the Gateway API CRDs)
//   node test/env/run.ts moto,dynamodb
//   node test/env/run.ts lattice         the VPC Lattice emulator (control API under /_lattice/)
//
// Prints `export NAME=value` lines to paste into another shell (then, for example,
// `kubectl --kubeconfig "$SWITCHYARD_KUBECONFIG" get crds` or a single `npx vitest run FILE`
// with SWITCHYARD_COMPONENTS set to the same list, which starts its own copy).
import { parseComponents, startEnvironment } from "./components.ts";

const environment = await startEnvironment(parseComponents(process.argv[2]));
for (const [name, value] of Object.entries(environment.variables)) {
  process.stdout.write(`export ${name}=${value}\n`);
}
process.stderr.write("running; press Ctrl-C to stop\n");

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  environment.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
// Keep the event loop alive until a signal arrives.
setInterval(() => {}, 1 << 30);
