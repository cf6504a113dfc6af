// Names shared by the environment (test/env/components.ts) and the tests that use it.

export const COMPONENTS = ["moto", "dynamodb", "kube", "lattice"] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** Environment variables through which the tests find the running components. */
export const ENV = {
  /** Selects components to start, e.g. "moto,kube"; unset means all. */
  components: "SWITCHYARD_COMPONENTS",
  motoEndpoint: "SWITCHYARD_MOTO_ENDPOINT",
  dynamoDbEndpoint: "SWITCHYARD_DYNAMODB_ENDPOINT",
  kubeServer: "SWITCHYARD_KUBE_SERVER",
  kubeToken: "SWITCHYARD_KUBE_TOKEN",
  kubeCaFile: "SWITCHYARD_KUBE_CA_FILE",
  kubeconfig: "SWITCHYARD_KUBECONFIG",
  etcdEndpoint: "SWITCHYARD_ETCD_ENDPOINT",
  /** The EKS-style token webhook (test/env/token-webhook.ts); its /config takes the kube token. */
  tokenWebhookUrl: "SWITCHYARD_TOKEN_WEBHOOK_URL",
  /** The VPC Lattice emulator (test/env/lattice/): the API and its /_lattice/ control endpoints. */
  latticeEndpoint: "SWITCHYARD_LATTICE_ENDPOINT",
} as const;

/** Which variables each component provides; a test asking for one names the component to start. */
export const PROVIDED_BY: Record<string, ComponentName> = {
  [ENV.motoEndpoint]: "moto",
  [ENV.dynamoDbEndpoint]: "dynamodb",
  [ENV.kubeServer]: "kube",
  [ENV.kubeToken]: "kube",
  [ENV.kubeCaFile]: "kube",
  [ENV.kubeconfig]: "kube",
  [ENV.etcdEndpoint]: "kube",
  [ENV.tokenWebhookUrl]: "kube",
  [ENV.latticeEndpoint]: "lattice",
};

export interface ComponentContext {
  /** Per-run scratch directory (logs, certificates, etcd data); removed after a clean stop. */
  runDir: string;
  /** Installed or built binaries shared by runs: $SWITCHYARD_CACHE or ~/.cache/switchyard. */
  cacheRoot: string;
}

export interface RunningComponent {
  name: ComponentName;
  variables: Record<string, string>;
  /** Called once every component is up, with all their variables (e.g. kube's webhook learns moto's endpoint). */
  connect?(variables: Readonly<Record<string, string>>): void;
  stop(): Promise<void>;
}
