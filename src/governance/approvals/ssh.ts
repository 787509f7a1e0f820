import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { canonicalize, parseJsonStrict, SigilError, sha256Hex } from "../../core/index.js";
import type { GovernancePublisher } from "../publisher/index.js";

/**
 * Signed local gate approvals (docs/orchestrator.md): `<request>.approval.json` names the run, the
 * gate, the request digest and the approver; `<request>.approval.json.sig` is its SSH signature
 * (`ssh-keygen -Y sign -n sigil-approval`), verified against the sovereigns' allowed_signers lines.
 */
export const APPROVAL_NAMESPACE = "sigil-approval";

export const LocalApproval = z.strictObject({
  run_id: z.string().min(1),
  gate: z.string().regex(/^SG\d+$/),
  request_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  approver: z.string().min(1),
});
export type LocalApproval = z.infer<typeof LocalApproval>;

export function approvalPaths(requestPath: string): { json: string; sig: string } {
  return { json: `${requestPath}.approval.json`, sig: `${requestPath}.approval.json.sig` };
}

const SSH_KEYGEN = "ssh-keygen";

async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sigil-ssh-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `<key-type> <base64>` of a private (or public) key file. */
export async function publicKeyOf(keyPath: string): Promise<string> {
  const result = await execa(SSH_KEYGEN, ["-y", "-f", keyPath], { reject: false, input: "" });
  if (result.exitCode !== 0)
    throw new SigilError("ERR_APPROVAL_SIGNATURE", `cannot read the key ${keyPath}: ${result.stderr.trim()}`);
  return result.stdout.trim().split(/\s+/).slice(0, 2).join(" ");
}

/** The login whose allowed_signers line holds `publicKey`, if any. */
export function signerFor(allowedSigners: readonly string[], publicKey: string): string | undefined {
  for (const line of allowedSigners) {
    const [login, type, key] = line.trim().split(/\s+/);
    if (`${type} ${key}` === publicKey) return login;
  }
  return undefined;
}

export async function sshSign(keyPath: string, data: Uint8Array): Promise<string> {
  const result = await execa(SSH_KEYGEN, ["-Y", "sign", "-f", keyPath, "-n", APPROVAL_NAMESPACE], {
    input: Buffer.from(data),
    reject: false,
  });
  if (result.exitCode !== 0)
    throw new SigilError("ERR_APPROVAL_SIGNATURE", `ssh-keygen could not sign: ${result.stderr.trim()}`);
  return `${result.stdout.trim()}\n`;
}

/** True when `signature` is `principal`'s valid signature of `data` under the approval namespace. */
export async function sshVerify(
  allowedSigners: readonly string[],
  principal: string,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  return withScratch(async (dir) => {
    const allowed = join(dir, "allowed_signers");
    const sig = join(dir, "approval.sig");
    await writeFile(allowed, `${allowedSigners.join("\n")}\n`);
    await writeFile(sig, signature);
    const result = await execa(
      SSH_KEYGEN,
      ["-Y", "verify", "-f", allowed, "-I", principal, "-n", APPROVAL_NAMESPACE, "-s", sig],
      { input: Buffer.from(data), reject: false },
    );
    return result.exitCode === 0;
  });
}

/** The run and gate a request doc names in its YAML header. */
export function requestHeader(text: string): { run_id: string; gate: string } {
  const run = /^run_id: ([0-9a-f-]{36})$/m.exec(text)?.[1];
  const gate = /^gate: (SG\d+)$/m.exec(text)?.[1];
  if (!run || !gate)
    throw new SigilError(
      "ERR_APPROVAL_MISMATCH",
      "not an authorization request doc (no run_id or gate in its header)",
    );
  return { run_id: run, gate };
}

/** `sigil orchestrate approve`: signs the request doc's approval and commits both files to the KB. */
export async function signLocalApproval(input: {
  publisher: GovernancePublisher;
  requestPath: string;
  keyPath: string;
  allowedSigners: readonly string[];
}): Promise<{ approval: LocalApproval; paths: { json: string; sig: string }; commit: string | null }> {
  const request = await input.publisher.read(input.requestPath);
  if (!request)
    throw new SigilError(
      "ERR_APPROVAL_MISSING",
      `no request doc ${input.requestPath} in ${input.publisher.target}`,
    );
  const header = requestHeader(Buffer.from(request).toString("utf8"));
  const approver = signerFor(input.allowedSigners, await publicKeyOf(input.keyPath));
  if (!approver)
    throw new SigilError(
      "ERR_APPROVAL_SIGNATURE",
      "this key is not among sovereigns.ssh_keys of the default branch",
    );
  const approval: LocalApproval = { ...header, request_sha256: sha256Hex(request), approver };
  const json = Buffer.from(`${canonicalize(approval)}\n`);
  const signature = Buffer.from(await sshSign(input.keyPath, json));
  const paths = approvalPaths(input.requestPath);
  const result = await input.publisher.publish({
    message: `approval of ${header.gate} for run ${header.run_id} by ${approver}`,
    files: [
      { path: paths.json, bytes: json },
      { path: paths.sig, bytes: signature },
    ],
  });
  return { approval, paths, commit: result.commit };
}

/**
 * Verifies a local approval from fresh reads of the KB: signature, signer, run, gate and the
 * request digest (recomputed from the doc, and equal to the one recorded when it was opened).
 */
export async function verifyLocalApproval(input: {
  publisher: GovernancePublisher;
  requestPath: string;
  expected: { run_id: string; gate: string; request_sha256: string };
  allowedSigners: readonly string[];
}): Promise<{ approval: LocalApproval; approval_digest: string }> {
  const paths = approvalPaths(input.requestPath);
  const [request, json, sig] = await Promise.all([
    input.publisher.read(input.requestPath),
    input.publisher.read(paths.json),
    input.publisher.read(paths.sig),
  ]);
  if (!request)
    throw new SigilError("ERR_APPROVAL_MISSING", `request doc ${input.requestPath} is not in the KB`);
  if (!json)
    throw new SigilError("ERR_APPROVAL_MISSING", `no ${paths.json}: run sigil orchestrate approve first`);
  if (!sig) throw new SigilError("ERR_APPROVAL_SIGNATURE", `${paths.json} is unsigned (no ${paths.sig})`);
  let approval: LocalApproval;
  try {
    approval = LocalApproval.parse(parseJsonStrict(Buffer.from(json).toString("utf8")));
  } catch {
    throw new SigilError("ERR_APPROVAL_MISMATCH", `${paths.json} is not an approval file`);
  }
  const logins = new Set(input.allowedSigners.map((l) => l.trim().split(/\s+/)[0]));
  if (!logins.has(approval.approver))
    throw new SigilError(
      "ERR_APPROVAL_SIGNATURE",
      `${approval.approver} is not a sovereign (sovereigns.ssh_keys)`,
    );
  if (!(await sshVerify(input.allowedSigners, approval.approver, json, sig)))
    throw new SigilError(
      "ERR_APPROVAL_SIGNATURE",
      `the signature of ${paths.json} is not ${approval.approver}'s`,
    );
  const recomputed = sha256Hex(request);
  for (const [field, want, got] of [
    ["run_id", input.expected.run_id, approval.run_id],
    ["gate", input.expected.gate, approval.gate],
    ["request_sha256", input.expected.request_sha256, approval.request_sha256],
    ["request doc digest", input.expected.request_sha256, recomputed],
  ] as const) {
    if (want !== got)
      throw new SigilError(
        "ERR_APPROVAL_MISMATCH",
        `${field}: approval says ${got}, the run expects ${want}`,
        { field },
      );
  }
  return { approval, approval_digest: sha256Hex(Buffer.concat([Buffer.from(json), Buffer.from(sig)])) };
}
