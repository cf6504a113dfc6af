/** Reading a Lambda's settings from its environment, as the CDK stack sets them. */

export type Environment = Readonly<Record<string, string | undefined>>;

/** A setting the function cannot run without; thrown at cold start, so the error names it. */
export class MissingSetting extends Error {
  readonly setting: string;

  constructor(name: string) {
    super(`environment variable ${name} is required`);
    this.name = "MissingSetting";
    this.setting = name;
  }
}

/** A setting whose value is refused (not one the function accepts); thrown at cold start, so the error names it. */
export class InvalidSetting extends Error {
  readonly setting: string;

  constructor(name: string, value: string, expected: string) {
    super(`environment variable ${name} is ${JSON.stringify(value)}, expected ${expected}`);
    this.name = "InvalidSetting";
    this.setting = name;
  }
}

export function requiredSetting(env: Environment, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") throw new MissingSetting(name);
  return value;
}

/** Client settings for every AWS SDK client: `SWITCHYARD_AWS_ENDPOINT` points them at an emulator. */
export function awsClientSettings(env: Environment): { endpoint?: string } {
  const endpoint = env.SWITCHYARD_AWS_ENDPOINT;
  return endpoint ? { endpoint } : {};
}
