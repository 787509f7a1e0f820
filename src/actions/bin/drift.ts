// Bundled to dist/drift.js: the entrypoint of actions/drift/action.yml.
import { driftAction, runAction } from "../index.js";

await runAction(driftAction);
