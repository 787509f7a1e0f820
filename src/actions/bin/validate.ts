// Bundled to dist/validate.js: the entrypoint of actions/validate/action.yml.
import { runAction, validateAction } from "../index.js";

await runAction(validateAction);
