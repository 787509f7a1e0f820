import { z } from "zod";
import { InputsV1 } from "./inputs.js";
import { ProcessorRef, RepoRelativePath } from "./registry-entry.js";

/** Where the config lives in a target repository (docs/contracts/sigil-config.md). */
export const SIGIL_CONFIG_PATH = ".github/sigil.yml";

/** A GitHub repository as `owner/name`. */
export const OwnerName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must look like owner/name");
const Login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub login");
/** A user is named by login or, robust against renames, by numeric id. */
const UserRef = z.union([Login, z.number().int().positive()]);
/** One allowed_signers line as ssh-keygen reads it: a login, a key type, its base64 key. */
const AllowedSignerLine = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}) (?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}$/,
    'must be an allowed_signers line "<login> <key-type> <base64-key>"',
  );
const WorkflowFile = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\.ya?ml$/, "must be a workflow file name like main-lane.yml");
const Label = z.string().min(1).max(50);

/** A PR-lane inputs payload: schema v1, and never `mode: real` (the PR lane is hermetic). */
const PrLaneInputs = InputsV1.refine((inputs) => inputs.mode !== "real", {
  message: "the PR lane runs mode=mock only",
});

/**
 * `.github/sigil.yml` (docs/contracts/sigil-config.md). Strict at every level: an unknown key is an error, so a typo
 * never silently falls back to a default. Every field with a sensible default has one.
 */
export const SigilConfig = z.strictObject({
  /** Folder of the registry entries, relative to the repository root. */
  registry: RepoRelativePath.default("registry/processors"),
  governance: z
    .strictObject({
      /** `owner/name` of the governance repo, or a local path for the local backend; no default. */
      repo: z.string().min(1).optional(),
      branch: z.string().min(1).default("main"),
      kb_space: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/, "kb_space is a folder name under knowledge/")
        .default("dev"),
    })
    .prefault({}),
  sovereigns: z
    .strictObject({
      users: z.array(UserRef).default([]),
      teams: z.array(OwnerName).default([]),
      /** allowed_signers lines (`<login> <key-type> <base64-key>`) for signed local gate approvals. */
      ssh_keys: z.array(AllowedSignerLine).default([]),
    })
    .prefault({}),
  workflows: z
    .strictObject({
      build_pin: WorkflowFile.default("main-lane.yml"),
      world_artifact: z.string().min(1).default("sigil-world"),
    })
    .prefault({}),
  pin_pr: z
    .strictObject({
      base: z.string().min(1).default("main"),
      labels: z.array(Label).default(["sigil", "pins"]),
    })
    .prefault({}),
  pr_lane: z
    .strictObject({
      /** The inputs payload each processor runs with in the PR lane; `{"schema":"v1"}` if absent. */
      inputs: z.record(ProcessorRef, PrLaneInputs).default({}),
    })
    .prefault({}),
});
export type SigilConfig = z.infer<typeof SigilConfig>;
