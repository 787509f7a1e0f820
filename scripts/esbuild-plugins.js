// esbuild plugins shared by the CLI bundles (scripts/build-cli.js) and the action bundles
// (scripts/bundle.js): what every bundle of ours leaves out.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { IMPORTED_FOR_EFFECT } from "./imported-for-effect.js";

/**
 * zod's root export carries every locale (`z.locales`, ~260 KB minified) that nothing here uses:
 * its English messages come from `locales/en.js`, which its schemas import directly. The locale
 * index is replaced by an empty module, so no bundle of ours parses or caches them.
 */
export const zodWithoutLocales = {
  name: "zod-without-locales",
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/node_modules/zod/") ? { path: "zod-locales", namespace: "empty" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

/**
 * Our modules are side-effect free (but those scripts/imported-for-effect.js lists): a module
 * none of whose exports a bundle uses is left out, although it defines zod schemas at its top
 * level. The barrels (src/core/index.ts) otherwise pull every contract, pino and yaml into the
 * verify worker, whose start-up then costs ~40 ms more per thread.
 */
export const sourcesWithoutSideEffects = {
  name: "sources-without-side-effects",
  setup(build) {
    // Our imports name a sibling TypeScript file by its .js name; anything else (an index, a
    // package) resolves as usual, with its side effects assumed. A nested build.resolve() here
    // doubled the bundling time.
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      if (!args.importer.includes("/src/") || args.importer.includes("/node_modules/")) return undefined;
      const path = resolve(args.resolveDir, `${args.path.slice(0, -3)}.ts`);
      if (!existsSync(path)) return undefined;
      return { path, sideEffects: IMPORTED_FOR_EFFECT.some((file) => path.endsWith(file)) };
    });
  },
};

/**
 * The esbuild options every bundle of ours spreads in: both plugins, and a bare `import "./x.js"`
 * of a module declared side-effect free made a build error (esbuild would drop it, silently at
 * logLevel "silent").
 */
export const LEAN_BUNDLE = {
  plugins: [zodWithoutLocales, sourcesWithoutSideEffects],
  logOverride: { "ignored-bare-import": "error" },
};
