/**
 * What a switchyard control plane answers for: the controller names it owns and the data plane
 * each one drives. Aliases for the AWS controllers are opt-in so a cluster can move to switchyard
 * without editing its GatewayClasses.
 */
export type DataPlane = "alb" | "nlb" | "lattice";

export const SWITCHYARD_CONTROLLERS: Readonly<Record<string, DataPlane>> = {
  "switchyard.dev/alb": "alb",
  "switchyard.dev/nlb": "nlb",
  "switchyard.dev/lattice": "lattice",
};

/** The AWS controllers' controller names, honoured only when `acceptAwsControllerNames` is set. */
export const AWS_CONTROLLER_ALIASES: Readonly<Record<string, DataPlane>> = {
  "gateway.k8s.aws/alb": "alb",
  "gateway.k8s.aws/nlb": "nlb",
  "application-networking.k8s.aws/gateway-api-controller": "lattice",
};

export interface ControllerConfig {
  /** controllerName → data plane, for every controller name this control plane owns. */
  controllers: Readonly<Record<string, DataPlane>>;
}

export function controllerConfig(options: { acceptAwsControllerNames?: boolean } = {}): ControllerConfig {
  return {
    controllers: options.acceptAwsControllerNames
      ? { ...SWITCHYARD_CONTROLLERS, ...AWS_CONTROLLER_ALIASES }
      : SWITCHYARD_CONTROLLERS,
  };
}
