// Bundled to dist/deploy-modal.js: the entrypoint of actions/deploy-modal/action.yml.
import { deployModalAction, runAction } from "../index.js";

await runAction(deployModalAction);
