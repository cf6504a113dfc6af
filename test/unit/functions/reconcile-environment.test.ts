// The reconcile λ's controller names from its environment (the ControlPlane's
// acceptAwsControllerNames): switchyard's own by default, the AWS controllers' aliases only on
// `true`, and a value that is neither refused at cold start, naming the variable.
import { describe, expect, it } from "vitest";
import {
  controllerConfigFromEnvironment,
  InvalidSetting,
  reconcilePortsFromEnvironment,
} from "../../../functions/reconcile/environment.ts";
import { AWS_CONTROLLER_ALIASES, SWITCHYARD_CONTROLLERS } from "../../../shared/config.ts";
import { RECONCILE_ENVIRONMENT } from "../../fixtures/reconcile-environment.ts";

const NAME = "SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES";

describe("SWITCHYARD_ACCEPT_AWS_CONTROLLER_NAMES", () => {
  it("unset, empty or false: switchyard's own controller names only", () => {
    for (const env of [{}, { [NAME]: "" }, { [NAME]: "false" }]) {
      expect(controllerConfigFromEnvironment(env).controllers, JSON.stringify(env)).toEqual(SWITCHYARD_CONTROLLERS);
    }
  });

  it("true: the AWS controllers' names too, each to its data plane", () => {
    const { controllers } = controllerConfigFromEnvironment({ [NAME]: "true" });
    expect(controllers).toEqual({ ...SWITCHYARD_CONTROLLERS, ...AWS_CONTROLLER_ALIASES });
    expect(controllers["gateway.k8s.aws/alb"]).toBe("alb");
  });

  it("anything else is refused, naming the variable and the value, rather than read as off", () => {
    for (const value of ["TRUE", "1", "yes", " true"]) {
      expect(() => controllerConfigFromEnvironment({ [NAME]: value }), value).toThrow(InvalidSetting);
      expect(() => controllerConfigFromEnvironment({ [NAME]: value }), value).toThrow(
        `environment variable ${NAME} is ${JSON.stringify(value)}, expected true or false`,
      );
    }
  });

  it("is what the λ's ports carry: the deployed reconcile honours the setting", () => {
    const env = RECONCILE_ENVIRONMENT;
    expect(reconcilePortsFromEnvironment({ ...env, [NAME]: "true" }).config?.controllers).toHaveProperty(
      "gateway.k8s.aws/nlb",
      "nlb",
    );
    expect(reconcilePortsFromEnvironment(env).config?.controllers).not.toHaveProperty("gateway.k8s.aws/nlb");
    expect(() => reconcilePortsFromEnvironment({ ...env, [NAME]: "on" })).toThrow(InvalidSetting);
  });
});
