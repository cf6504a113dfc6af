/**
 * Reading manifest files and directories from disk for the offline commands: the I/O edge in front
 * of the pure loader. Whatever is on disk, this returns: a path that cannot be read is a warning or
 * a problem naming it, never an exception, a hang or an unbounded read.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  type Stats,
} from "node:fs";
import { extname, join } from "node:path";
import type { KubeObject } from "../shared/k8s/meta.ts";
import { type LocatedObject, takeInventory } from "../shared/manifest/inventory.ts";
import { type LoadedManifests, loadManifests } from "../shared/manifest/load.ts";
import type { ManifestProblem } from "../shared/manifest/problem.ts";

const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** Larger than any real manifest bundle, small enough that reading a wrong path cannot exhaust memory. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface ReadOptions {
  /** Namespace given to namespaced objects that name none. */
  defaultNamespace?: string;
  /** Files larger than this are not read (a problem names them). Default 16 MiB. */
  maxFileBytes?: number;
}

export interface LoadedFiles {
  objects: KubeObject[];
  /** Rejected objects, unreadable documents and files: each names its file (and document). */
  problems: ManifestProblem[];
  /** Paths skipped and objects not read, said out loud so nothing disappears silently. */
  warnings: ManifestProblem[];
  files: string[];
}

export interface ManifestFiles {
  files: string[];
  warnings: ManifestProblem[];
}

function errorCode(err: unknown): string {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string" ? err.code : "";
}

function describeError(err: unknown): string {
  const code = errorCode(err);
  if (code === "ENOENT") return "does not exist";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ELOOP") return "is a symlink loop";
  return code || (err instanceof Error ? err.message : String(err));
}

function fileType(stat: Stats): string {
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/**
 * Files under each path, depth first, sorted so output never depends on directory order. Symlinks
 * are followed once: a link back to a directory being walked is a loop, a link to something already
 * read is not read twice, and a link to nothing is reported.
 */
export function manifestFiles(paths: readonly string[]): ManifestFiles {
  const out: ManifestFiles = { files: [], warnings: [] };
  const warn = (source: string, message: string) => {
    out.warnings.push({ source, field: "", message });
  };
  const read = new Map<string, string>();
  const visit = (path: string, walking: ReadonlySet<string>, named: boolean) => {
    let real: string;
    let stat: Stats;
    try {
      if (lstatSync(path).isSymbolicLink()) {
        try {
          real = realpathSync(path);
        } catch (err) {
          const code = errorCode(err);
          warn(
            path,
            code === "ENOENT"
              ? "dangling symlink: its target does not exist; skipped"
              : `symlink ${describeError(err)}; skipped`,
          );
          return;
        }
      } else real = realpathSync(path);
      stat = lstatSync(real);
    } catch (err) {
      warn(path, `cannot be read: ${describeError(err)}; skipped`);
      return;
    }
    if (stat.isDirectory()) {
      if (walking.has(real)) {
        warn(path, `symlink loop: leads back to ${real}, which is being read; skipped`);
        return;
      }
      const first = read.get(real);
      if (first !== undefined) {
        warn(path, `same directory as ${first}, already read; skipped`);
        return;
      }
      read.set(real, path);
      let entries: string[];
      try {
        entries = readdirSync(path).sort();
      } catch (err) {
        warn(path, `cannot be listed: ${describeError(err)}; skipped`);
        return;
      }
      const inside = new Set(walking).add(real);
      for (const entry of entries) visit(join(path, entry), inside, false);
      return;
    }
    if (!stat.isFile()) {
      // Opening a FIFO blocks until a writer comes and a device never ends: neither is read.
      warn(path, `${fileType(stat)}, not a manifest file; skipped`);
      return;
    }
    if (!named && !MANIFEST_EXTENSIONS.has(extname(path))) return;
    const first = read.get(real);
    if (first !== undefined) {
      warn(path, `same file as ${first}, already read; skipped`);
      return;
    }
    read.set(real, path);
    out.files.push(path);
  };
  for (const path of paths) visit(path, new Set(), true);
  return out;
}

export type ReadResult = { ok: true; text: string } | { ok: false; message: string };

/**
 * At most `maxBytes` of a regular file, as UTF-8. Checked on the open descriptor, so a path swapped
 * for a FIFO or a device after it was listed is refused rather than read without end.
 */
export function readBounded(path: string, maxBytes: number): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, message: `cannot be read: ${describeError(err)}` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, message: `${fileType(stat)}, not a manifest file` };
    const tooLarge = {
      ok: false,
      message: `larger than the limit of ${maxBytes} bytes (--max-file-size); not read`,
    } as const;
    if (stat.size > maxBytes) return tooLarge;
    // The size can change between fstat and reading: read in chunks and stop one byte past the limit.
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= maxBytes) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
    }
    if (length > maxBytes) return tooLarge;
    const bytes = Buffer.concat(chunks, length);
    try {
      return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
    } catch {
      return { ok: false, message: "not valid UTF-8 text; not read" };
    }
  } catch (err) {
    return { ok: false, message: `cannot be read: ${describeError(err)}` };
  } finally {
    closeSync(fd);
  }
}

export function loadFiles(paths: readonly string[], options: ReadOptions = {}): LoadedFiles {
  const listed = manifestFiles(paths);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const perFile: FileContents[] = [];
  const unreadable: ManifestProblem[] = [];
  for (const file of listed.files) {
    const read = readBounded(file, maxBytes);
    if (!read.ok) unreadable.push({ source: file, field: "", message: read.message });
    else
      perFile.push({
        file,
        loaded: loadManifests(
          read.text,
          file,
          options.defaultNamespace ? { defaultNamespace: options.defaultNamespace } : {},
        ),
      });
  }
  const collected = collectLoaded(perFile);
  return {
    objects: collected.objects,
    problems: [...unreadable, ...collected.problems],
    warnings: [...listed.warnings, ...collected.warnings],
    files: listed.files,
  };
}

export interface FileContents {
  file: string;
  loaded: LoadedManifests;
}

/**
 * What every file loaded, as one input: all objects once, every problem with its document, every
 * ignored object as a warning. Loops rather than push(...spread) throughout: a file can hold more
 * objects than the stack has room for arguments.
 */
export function collectLoaded(perFile: readonly FileContents[]): Omit<LoadedFiles, "files"> {
  const out: Omit<LoadedFiles, "files"> = { objects: [], problems: [], warnings: [] };
  const located: LocatedObject[] = [];
  for (const { file, loaded } of perFile) {
    loaded.objects.forEach((object, i) => {
      located.push({ object, origin: loaded.origins[i] ?? { source: file, document: 0 } });
    });
    for (const problem of loaded.problems) out.problems.push(problem);
    for (const rejected of loaded.rejected)
      for (const problem of rejected.problems) out.problems.push({ ...problem, document: rejected.origin.document });
    for (const ignored of loaded.ignored)
      out.warnings.push({
        source: ignored.source,
        document: ignored.document,
        object: { kind: ignored.kind, name: ignored.name },
        field: "",
        message: `ignored (apiVersion ${ignored.apiVersion}): ${ignored.reason}`,
      });
  }
  const inventory = takeInventory(located);
  out.objects = inventory.objects;
  for (const problem of inventory.problems) out.problems.push(problem);
  for (const warning of inventory.warnings) out.warnings.push(warning);
  return out;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `16MiB`, `512KiB`, `1048576` → bytes; undefined when it is not a positive size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE_UNITS[(match?.[2] ?? "").toLowerCase()];
  if (!match || unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
