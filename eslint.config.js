// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "data/", "public/build/", "coverage/", "dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Secrets and tokens come from node:crypto, never Math.random (CRYPTO-04).
      "no-restricted-properties": ["error", { object: "Math", property: "random", message: "Use node:crypto for anything random." }],
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  {
    files: ["src/cli.ts", "scripts/**", "bench/**"],
    rules: { "no-console": "off" },
  },
);
