// Builds what the browser loads into public/build: the stylesheet (Sass → CSS), GOV.UK Frontend's
// script, and Steward's own small files. Runs after `npm install`; quick, and safe to run again.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, "public", "build");
await mkdir(out, { recursive: true });

const css = sass.compile(path.join(root, "assets", "steward.scss"), {
  loadPaths: [path.join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
await writeFile(path.join(out, "steward.css"), css.css);

const govuk = path.join(root, "node_modules", "govuk-frontend", "dist", "govuk");
await copyFile(path.join(govuk, "govuk-frontend.min.js"), path.join(out, "govuk-frontend.min.js"));
await copyFile(path.join(root, "assets", "init.js"), path.join(out, "init.js"));
await copyFile(path.join(root, "assets", "session-timeout.js"), path.join(out, "session-timeout.js"));
await copyFile(path.join(root, "assets", "review-region.js"), path.join(out, "review-region.js"));
await copyFile(path.join(root, "assets", "favicon.svg"), path.join(out, "favicon.svg"));
console.log(`Steward assets built in ${path.relative(root, out)}/`);
