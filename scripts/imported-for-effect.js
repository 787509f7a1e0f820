// Source modules whose import does something besides defining exports. scripts/esbuild-plugins.js
// tells esbuild that every other module of ours is free of side effects (so a bundle leaves out
// the ones whose exports it does not use); test/contracts/import-side-effects.test.ts checks
// that every bare `import "./x.js"` in src/ names a module listed here.
export const IMPORTED_FOR_EFFECT = ["src/cli/zod-mode.ts"];
