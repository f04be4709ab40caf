import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding Steward's package.json, found by walking up from this module. The same code
 * runs from src/ (tests, tsx) and bundled into dist/ (npm start), so files it reads at run time
 * (templates, the stylesheet, the common-password list) are found from here, not from where the
 * importing module happens to sit.
 */
function findProjectRoot(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(folder, "package.json"))) {
    const parent = path.dirname(folder);
    if (parent === folder) {
      throw new Error("Steward's package.json was not found above its code");
    }
    folder = parent;
  }
  return folder;
}

export const PROJECT_ROOT = findProjectRoot();

/** A path inside the project, e.g. projectPath("src", "auth", "common-passwords.txt"). */
export function projectPath(...parts: string[]): string {
  return path.join(PROJECT_ROOT, ...parts);
}
