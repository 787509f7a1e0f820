// Bundled to dist/sync-secrets.js: the entrypoint of actions/sync-secrets/action.yml.
import { runAction, syncSecretsAction } from "../index.js";

await runAction(syncSecretsAction);
