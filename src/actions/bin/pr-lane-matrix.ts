// Bundled to dist/pr-lane-matrix.js: the entrypoint of actions/pr-lane-matrix/action.yml.
import { prLaneMatrixAction, runAction } from "../index.js";

await runAction(prLaneMatrixAction);
