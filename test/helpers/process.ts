import { readFile } from "node:fs/promises";

/** Whether `pid` is a live process: a zombie (killed, not yet reaped) counts as gone. */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) S ...": the state follows the last ")" since comm may hold spaces.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
