export * from "./codec.ts";
export * from "./event.ts";
export * from "./sqs-attributes.ts";
export * from "./strip.ts";
