// Bundles Steward's server and operator commands into dist/ (npm start and npm run steward run
// them with plain Node: no TypeScript compiled at each start). esbuild only strips the types;
// `npm run typecheck` is what checks them. Packages stay in node_modules (not bundled). Runs
// after `npm install` and before each `npm start`; it takes well under a second.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let result;
try {
  result = await build({
    absWorkingDir: root,
    entryPoints: ["src/main.ts", "src/cli.ts"],
    outdir: "dist",
    bundle: true,
    // Each operator command loads only its own code: the CLI's per-command imports become chunks.
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    metafile: true,
  });
} catch (error) {
  // A read-only install (a deployment's image) keeps the bundle it was built with at install.
  if (existsSync(path.join(root, "dist", "main.js")) && ["EACCES", "EROFS", "EPERM"].some((code) => String(error?.message ?? error).includes(code))) {
    console.warn(`dist/ could not be rebuilt (${error.message}); running the bundle built at install`);
    process.exit(0);
  }
  throw error;
}

// Chunks from earlier builds are left for a day, since a running server may still load one
// lazily; older ones that this build did not write are removed.
const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(root, file)));
const dist = path.join(root, "dist");
for (const name of await readdir(dist)) {
  const file = path.join(dist, name);
  if (!written.has(file) && Date.now() - (await stat(file)).mtimeMs > 24 * 3_600_000) {
    await rm(file, { force: true });
  }
}
