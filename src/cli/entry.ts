// First: it decides how zod parses before any schema is built.
import "./zod-mode.js";
import { processContext } from "./context.js";
import { main } from "./main.js";

// The process boundary: the exit code is set here and nowhere else.
const controller = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  // A second signal means "now": the command had its chance to stop cleanly.
  if (controller.signal.aborted) process.exit(signal === "SIGINT" ? 130 : 143);
  controller.abort(signal);
};
process.on("SIGINT", onSignal);
// `sigil … | head` closes the pipe early: that is the reader's choice, not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.on("SIGTERM", onSignal);

void main(process.argv.slice(2), { ...processContext(), signal: controller.signal }).then((code) => {
  process.exitCode = code;
  // Interrupted: the command has answered; what it left running (children were told) must not
  // hold the process open.
  if (controller.signal.aborted) process.exit(code);
});
