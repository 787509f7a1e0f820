// Bundled to dist/assert-multiarch.js: the entrypoint of actions/assert-multiarch/action.yml.
import { assertMultiarchAction, runAction } from "../index.js";

await runAction(assertMultiarchAction);
