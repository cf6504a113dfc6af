// Vitest global setup of the `integration` project: starts the real components the suites use
// (all of them unless SWITCHYARD_COMPONENTS lists some, e.g. "moto,dynamodb" or "lattice"), hands their
// endpoints to the test workers through environment variables, and stops them afterwards.
import { parseComponents, startEnvironment } from "./components.ts";
import { ENV } from "./variables.ts";

export default async function setup(): Promise<() => Promise<void>> {
  const environment = await startEnvironment(parseComponents(process.env[ENV.components]));
  // Workers are started after global setup and inherit this process's environment.
  Object.assign(process.env, environment.variables);
  return async () => {
    await environment.stop();
  };
}
