// Bundled to dist/sigil.js: the entrypoint of the root (umbrella) action.yml.
import { runUmbrella } from "../umbrella.js";

await runUmbrella();
