/**
 * A private network namespace for the live run. EndpointSlice validation refuses loopback
 * addresses ("may not be in the loopback range (127.0.0.0/8, ::1/128)"), so Pods need addresses
 * that are not loopback yet local to this machine. Inside a fresh network namespace (its own `lo`,
 * no other interface) a `local` route makes a whole private range bindable, without touching the
 * machine's own network: `ip route add local 10.244.0.0/16 dev lo`. Everything of the run —
 * moto, DynamoDB Local, the apiserver, the pipeline, the emulator, the suite — lives in there and
 * talks over it; nothing needs the outside network once the binaries are built.
 *
 * Needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN), `unshare` and `ip`.
 */

/** Pods get addresses from here (see PodStandIn's podAddressPool). */
export const POD_CIDR = "10.244.0.0/16";
export const FIRST_POD_ADDRESS = "10.244.0.1";
/** Set inside the namespace, so a re-executed script knows it is there. */
export const INSIDE_VARIABLE = "SWITCHYARD_LIVE_PRIVATE_NETWORK";

/** The command line that runs `command` inside a new network (and mount) namespace set up as above. */
export function inPrivateNetwork(command: readonly string[]): string[] {
  return [
    "unshare",
    "--net",
    "--mount",
    "--",
    "sh",
    "-c",
    'ip link set lo up && ip route add local "$0" dev lo && exec "$@"',
    POD_CIDR,
    ...command,
  ];
}

export function insidePrivateNetwork(): boolean {
  return process.env[INSIDE_VARIABLE] === "1";
}
