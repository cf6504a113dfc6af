#!/usr/bin/env node
/** The `switchyard` command. Sub-commands live in cli/commands/, one file each. */
import { main } from "../main.ts";

process.exitCode = await main(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr },
  { debug: process.env.SWITCHYARD_DEBUG === "1" },
);
