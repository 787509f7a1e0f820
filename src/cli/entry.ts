import { main } from "./main.js";

// The process boundary: the exit code is set here and nowhere else.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
