import { zip, type Zippable } from "fflate";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "../platform/project-root.ts";

/**
 * Steward is AGPL-3.0-or-later, and §13 of that licence says everyone who uses it over a network
 * may have the source of the version they use. So the running service offers its own code, as the
 * files it runs from, not a link that may point at a different version.
 *
 * Only these entries of the project folder are offered: the data folder (the database, the file
 * store, the master key file) and installed packages never are, wherever they sit. A test checks
 * that every file git tracks is among them.
 */
export const SOURCE_ENTRIES = [
  ".ci",
  ".dependency-cruiser.cjs",
  ".gitignore",
  "LICENSE",
  "README.md",
  "assets",
  "bench",
  "eslint.config.js",
  "package-lock.json",
  "package.json",
  "scripts",
  "src",
  "tsconfig.json",
  "vitest.config.ts",
] as const;

/** Files a checkout or an editor may leave inside those folders and that are no part of the source. */
const NOT_SOURCE = /(^|\/)(\.env|.*\.log|\.DS_Store|node_modules)$/;

let archive: Promise<Uint8Array> | undefined;

/** A zip of Steward's source as this process runs it, made once per process (the code does not change under it). */
export function sourceArchive(root: string = PROJECT_ROOT): Promise<Uint8Array> {
  if (root !== PROJECT_ROOT) {
    return makeArchive(root);
  }
  archive ??= makeArchive(root).catch((error: unknown) => {
    archive = undefined;
    throw error;
  });
  return archive;
}

async function makeArchive(root: string): Promise<Uint8Array> {
  const files: Zippable = {};
  for (const entry of SOURCE_ENTRIES) {
    await addEntry(root, entry, files);
  }
  return new Promise((resolve, reject) => {
    zip(files, { level: 6, mtime: new Date("2026-01-01T00:00:00Z") }, (error, data) => (error ? reject(error) : resolve(data)));
  });
}

async function addEntry(root: string, relative: string, files: Zippable): Promise<void> {
  if (NOT_SOURCE.test(relative)) {
    return;
  }
  const absolute = path.join(root, relative);
  const stats = await lstat(absolute).catch(() => undefined);
  // Symbolic links are not followed: one could lead out of the project folder.
  if (!stats || stats.isSymbolicLink()) {
    return;
  }
  if (stats.isDirectory()) {
    for (const name of (await readdir(absolute)).sort()) {
      await addEntry(root, `${relative}/${name}`, files);
    }
  } else if (stats.isFile()) {
    files[`steward/${relative}`] = new Uint8Array(await readFile(absolute));
  }
}
