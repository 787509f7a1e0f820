import { assertMultiarchAction } from "./assert-multiarch.js";
import { buildPinAction } from "./build-pin.js";
import { driftAction } from "./drift.js";
import { deployModalAction, syncSecretsAction } from "./modal-actions.js";
import { prLaneAction } from "./pr-lane.js";
import { prLaneMatrixAction } from "./pr-lane-matrix.js";
import type { ActionDefinition } from "./runtime.js";
import { validateAction } from "./validate.js";
import { validateMockAction } from "./validate-mock.js";

/** Every action this package ships, by `actions/<name>` folder and umbrella `command`. */
export const ACTIONS = {
  "assert-multiarch": assertMultiarchAction,
  "build-pin": buildPinAction,
  "deploy-modal": deployModalAction,
  drift: driftAction,
  "pr-lane": prLaneAction,
  "pr-lane-matrix": prLaneMatrixAction,
  "sync-secrets": syncSecretsAction,
  validate: validateAction,
  "validate-mock": validateMockAction,
} as const satisfies Record<string, ActionDefinition>;

export type ActionName = keyof typeof ACTIONS;

export * from "./runtime.js";
export {
  assertMultiarchAction,
  buildPinAction,
  deployModalAction,
  driftAction,
  prLaneAction,
  prLaneMatrixAction,
  syncSecretsAction,
  validateAction,
  validateMockAction,
};
