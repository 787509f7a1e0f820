// Bundled to dist/validate-mock.js: the entrypoint of actions/validate-mock/action.yml.
import { runAction, validateMockAction } from "../index.js";

await runAction(validateMockAction);
