import { zip, type Zippable } from "fflate";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT } from "../platform/project-root.ts";

/**
 * Steward is AGPL-3.0-or-later, and §13 of that licence says everyone who uses it over a network
 * may have the source of the version they use. So the running service offers its own code, as the
 * files it runs from, not a link that may point at a different version.
 *
 * Only these entries of the project folder are offered, and in them only source files; the data
 * folder (the database, the file store, the master key file), wherever it is set to be, and
 * installed packages never are. A test checks that every file git tracks is offered.
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

/**
 * Only files of the kinds the source is made of are offered, so whatever else a checkout, an
 * editor or an operator leaves in these folders (.env.local, a deploy key, .npmrc, a swap or
 * backup file, a copied data folder) never is.
 */
const SOURCE_FILE = /(\.(ts|mts|mjs|cjs|js|json|jsonl|md|njk|scss|css|txt|svg|png|ico|woff2?|yml|yaml)|^LICENSE|^\.gitignore|^run)$/;
const NOT_SOURCE = /(^|\/)(node_modules|data|dist|coverage|\.git)(\/|$)|(^|\/)\.env/;

let archive: Promise<Uint8Array> | undefined;

/** A zip of Steward's source as this process runs it, made once per process (the code does not change under it). `dataDir` is never included. */
export function sourceArchive(dataDir?: string, root: string = PROJECT_ROOT): Promise<Uint8Array> {
  const data = dataDir ? path.resolve(dataDir) : undefined;
  if (root !== PROJECT_ROOT) {
    return makeArchive(root, data);
  }
  archive ??= makeArchive(root, data).catch((error: unknown) => {
    archive = undefined;
    throw error;
  });
  return archive;
}

async function makeArchive(root: string, dataDir: string | undefined): Promise<Uint8Array> {
  const files: Zippable = {};
  for (const entry of SOURCE_ENTRIES) {
    await addEntry(root, entry, files, dataDir);
  }
  return new Promise((resolve, reject) => {
    zip(files, { level: 6, mtime: new Date("2026-01-01T00:00:00Z") }, (error, data) => (error ? reject(error) : resolve(data)));
  });
}

async function addEntry(root: string, relative: string, files: Zippable, dataDir: string | undefined): Promise<void> {
  if (NOT_SOURCE.test(relative)) {
    return;
  }
  const absolute = path.join(root, relative);
  // The data folder, wherever it is set to be, is never walked into.
  if (dataDir && (absolute === dataDir || absolute.startsWith(`${dataDir}${path.sep}`))) {
    return;
  }
  const stats = await lstat(absolute).catch(() => undefined);
  // Symbolic links are not followed: one could lead out of the project folder.
  if (!stats || stats.isSymbolicLink()) {
    return;
  }
  if (stats.isDirectory()) {
    for (const name of (await readdir(absolute)).sort()) {
      await addEntry(root, `${relative}/${name}`, files, dataDir);
    }
  } else if (stats.isFile() && SOURCE_FILE.test(path.basename(relative))) {
    files[`steward/${relative}`] = new Uint8Array(await readFile(absolute));
  }
}
