import { join } from "node:path";
import { execa, execaSync } from "execa";
import { REPO_ROOT } from "./temp.js";

/**
 * A real read-only filesystem for tests: the world folder bind-mounted read-only in a private
 * mount namespace (`unshare -m`), so even root gets EROFS. Needs CAP_SYS_ADMIN; where that is
 * missing, tests that use it are skipped rather than faked.
 */
export const readOnlyMountAvailable: boolean = (() => {
  try {
    const probe = execaSync("unshare", ["-m", "sh", "-c", "mount --bind / /mnt 2>/dev/null && umount /mnt"], {
      reject: false,
    });
    return probe.exitCode === 0;
  } catch {
    return false;
  }
})();

/** Runs `bin/sigil.cjs argv` with `readOnly` mounted read-only, only for that process. */
export async function runSigilReadOnly(readOnly: string, argv: string[], cwd: string) {
  const script = 'set -e; mount --bind "$1" "$1"; mount -o remount,bind,ro "$1" "$1"; shift; exec "$@"';
  const result = await execa(
    "unshare",
    ["-m", "sh", "-c", script, "sh", readOnly, process.execPath, join(REPO_ROOT, "bin/sigil.cjs"), ...argv],
    { cwd, env: { PATH: process.env.PATH }, extendEnv: false, reject: false },
  );
  return { code: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
