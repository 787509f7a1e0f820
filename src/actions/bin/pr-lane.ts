// Bundled to dist/pr-lane.js: the entrypoint of actions/pr-lane/action.yml.
import { prLaneAction, runAction } from "../index.js";

await runAction(prLaneAction);
