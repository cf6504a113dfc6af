/**
 * Physical names shared by the constructs: a target account's role and a cluster's forwarder role
 * are named, not generated, so a control plane in another account can name them in a policy
 * before they exist (and a policy that names a role by ARN never breaks when it is recreated).
 */

/** @default "switchyard": the prefix of every physical name (queues, table, roles, dashboard). */
export const DEFAULT_NAME = "switchyard";

/** The role the reconcile and status functions assume in every target account. */
export const targetRoleName = (name: string) => `${name}-reconcile`;

/** The role the control plane's registrar offers to clusters in other accounts (registry entries). */
export const registrarRoleName = (name: string) => `${name}-registrar`;

/** A cluster's forwarder role (EKS Pod Identity), in the cluster's account. */
export const forwarderRoleName = (name: string, clusterId: string) => `${name}-forwarder-${clusterId}`;

/** The status queue of a via-forwarder cluster: the status λ's URL template fills `{cluster}`. */
export const forwarderStatusQueueName = (name: string, clusterId: string) => `${name}-status-${clusterId}`;

/** The Kubernetes group an EKS access entry maps the status writer to. */
export const STATUS_WRITERS_GROUP = "switchyard:status-writers";
