// Bundled to dist/build-pin.js: the entrypoint of actions/build-pin/action.yml.
import { buildPinAction, runAction } from "../index.js";

await runAction(buildPinAction);
