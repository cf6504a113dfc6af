// The `lattice` component of the test environment: the VPC Lattice emulator, started in the
// process that runs the environment (vitest's global setup or test/env/run.ts) on a free port of
// 127.0.0.1. With moto running too, access keys moto issued act in their role's account.
import { log } from "../process.ts";
import { ENV, type RunningComponent } from "../variables.ts";
import { LatticeEmulator } from "./server.ts";

export async function startLattice(): Promise<RunningComponent> {
  const emulator = await LatticeEmulator.start();
  log("lattice", `ready on ${emulator.endpoint}`);
  return {
    name: "lattice",
    variables: { [ENV.latticeEndpoint]: emulator.endpoint },
    connect(variables) {
      const moto = variables[ENV.motoEndpoint];
      if (moto !== undefined) emulator.identities.connectMoto(moto);
    },
    stop: () => emulator.stop(),
  };
}
