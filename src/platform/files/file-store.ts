import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";

/**
 * Where files' bytes live, outside the database: the database's write-ahead log would otherwise
 * write every file twice, and a table column holds it as base64 text (4/3 of its size). What is
 * stored is already sealed under its organisation's key; the store never sees a plaintext file.
 * The default store is a folder; an S3-compatible one is the production shape (DESIGN.md).
 */
export interface FileStore {
  /** Writes a file durably (on disk before it returns), replacing any of the same key. */
  put(key: StoredFileKey, bytes: Buffer): Promise<void>;
  /** The file's bytes, or undefined if there is none. */
  get(key: StoredFileKey): Promise<Buffer | undefined>;
  /** Removes a file; a missing one is not an error. */
  remove(key: StoredFileKey): Promise<void>;
  /** Removes every file of an organisation (its data has been destroyed); none is not an error. */
  removeOrganisation(organisationId: string): Promise<void>;
  /**
   * Removes files last written before `olderThan` that `keep` does not keep, with any write left
   * half done; returns how many went. `keep` is asked once per organisation with its files' ids,
   * and answers the ids to keep, or undefined to leave that organisation's files alone.
   */
  sweep(olderThan: Date, keep: (organisationId: string, ids: string[]) => Promise<Set<string> | undefined>): Promise<number>;
}

/** A file's place: its organisation and its own id, both UUIDs. */
export interface StoredFileKey {
  organisationId: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A folder store: `<root>/<organisation id>/<file id>`, written to a temporary name, synced, then renamed into place. */
export function folderFileStore(root: string): FileStore {
  const fileOf = (key: StoredFileKey) => {
    // Only UUIDs reach the file system, so no key can climb out of the folder.
    if (!UUID.test(key.organisationId) || !UUID.test(key.id)) {
      throw new Error("A stored file's key must be two UUIDs");
    }
    return path.join(root, key.organisationId.toLowerCase(), key.id.toLowerCase());
  };
  const syncFolder = async (folder: string) => {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
  return {
    async put(key, bytes) {
      const file = fileOf(key);
      const folder = path.dirname(file);
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const temporary = `${file}.${randomBytes(6).toString("hex")}.partial`;
      const handle = await open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      // The rename itself is durable only once the folder is.
      await syncFolder(folder);
    },
    async get(key) {
      try {
        return await readFile(fileOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          return undefined;
        }
        throw error;
      }
    },
    async remove(key) {
      try {
        await unlink(fileOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
          throw error;
        }
      }
    },
    async removeOrganisation(organisationId) {
      if (!UUID.test(organisationId)) {
        throw new Error("An organisation's folder is named by its UUID");
      }
      await rm(path.join(root, organisationId), { recursive: true, force: true });
    },
    async sweep(olderThan, keep) {
      let removed = 0;
      const organisations = await readdir(root).catch(() => [] as string[]);
      for (const organisationId of organisations.filter((name) => UUID.test(name))) {
        const folder = path.join(root, organisationId);
        const old: string[] = [];
        for (const name of await readdir(folder)) {
          const { mtime } = await stat(path.join(folder, name));
          if (mtime >= olderThan) {
            continue;
          }
          if (name.endsWith(".partial")) {
            await rm(path.join(folder, name), { force: true });
            removed += 1;
          } else if (UUID.test(name)) {
            old.push(name);
          }
        }
        const kept = old.length > 0 ? await keep(organisationId, old) : undefined;
        for (const id of kept ? old.filter((name) => !kept.has(name)) : []) {
          await rm(path.join(folder, id), { force: true });
          removed += 1;
        }
      }
      return removed;
    },
  };
}
