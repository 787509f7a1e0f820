// A real Chromium for page tests, driven by playwright-core (npm cannot download browsers here).
// Found at CHROME_PATH or a standard path; else installed with apt as root on Debian (as CI
// does); else the test fails with how to get one. Never a silent skip.
import { existsSync } from "node:fs";
import { execa } from "execa";
import { type Browser, chromium } from "playwright-core";

const INSTALL_HINT =
  "no Chromium found for the page tests: install one (`apt-get install -y chromium` on Debian, or Google Chrome), or set CHROME_PATH to a Chrome/Chromium executable";

/** Where Chrome and Chromium land on Debian/Ubuntu, Fedora, snap and macOS. */
export const STANDARD_PATHS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/opt/google/chrome/chrome",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

const found = () => STANDARD_PATHS.find((path) => existsSync(path));

/**
 * The browser's executable. CHROME_PATH wins (and must exist); then the standard paths; then, as
 * root on Debian, `apt-get install chromium` once per machine (`flock` serializes the test files
 * vitest runs in parallel: the second finds it installed).
 */
export async function chromiumPath(): Promise<string> {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist. ${INSTALL_HINT}`);
    return fromEnv;
  }
  const present = found();
  if (present) return present;
  if (process.getuid?.() !== 0 || !existsSync("/etc/debian_version")) throw new Error(INSTALL_HINT);
  const script =
    "test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)";
  const result = await execa("flock", ["/tmp/sigil-apt-chromium.lock", "sh", "-c", script], {
    reject: false,
    all: true,
  });
  const installed = found();
  if (result.exitCode !== 0 || !installed)
    throw new Error(`${INSTALL_HINT}\napt-get said:\n${String(result.all).slice(-2000)}`);
  return installed;
}

/** A headless browser closed at the end of the `await using` scope. */
export async function launchChromium(): Promise<{ browser: Browser } & AsyncDisposable> {
  const executablePath = await chromiumPath();
  // Chromium refuses its sandbox as root (containers, CI); elsewhere the sandbox stays on.
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
  const browser = await chromium.launch({ executablePath, args });
  return { browser, [Symbol.asyncDispose]: () => browser.close() };
}
