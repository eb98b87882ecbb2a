// Loads the dashboard in headless Chromium, lets it poll /stats in real time, then prints what its
// charts hold as JSON on stdout and writes a screenshot. Talks to Chromium over the DevTools
// protocol with the WebSocket built into Node (Node 20: run with --experimental-websocket), so it
// needs no package.
//
//   node --experimental-websocket dashboard-chromium.mjs URL SECONDS SCREENSHOT.png [WIDTHxHEIGHT]
//
// CHROMIUM names the browser binary (default: chromium, Debian's package).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, seconds, png, size = "1200x540"] = process.argv.slice(2);
const [width, height] = size.split("x").map(Number);
const profile = mkdtempSync(join(tmpdir(), "dashboard-chromium-"));
const chromium = spawn(process.env.CHROMIUM || "chromium", ["--headless", "--no-sandbox", "--disable-gpu",
  "--hide-scrollbars", "--no-first-run", "--remote-debugging-port=0", `--user-data-dir=${profile}`,
  `--window-size=${width},${height}`, "about:blank"],
  // TMPDIR too: Chromium keeps its singleton socket in a directory of its own under the temporary
  // directory and, killed, leaves it behind; inside the profile it goes when the profile does
  { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, TMPDIR: profile } });

function finish(code) {
  const done = () => {
    try {
      // the browser's helper processes may still be leaving files there for a moment
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (e) {
      console.error(`could not remove ${profile}: ${e.message}`);
    }
    process.exit(code);
  };
  if (chromium.exitCode !== null || chromium.signalCode !== null) {
    done();
  } else {
    chromium.once("exit", done);
    chromium.kill("SIGKILL");
  }
}

// one DevTools connection: send(method, params) answers the command's result
function connect(wsUrl) {
  const ws = new WebSocket(wsUrl);
  const pending = new Map();
  let next = 0;
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.id && pending.has(m.id)) {
      const { resolve, reject } = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) reject(new Error(JSON.stringify(m.error))); else resolve(m.result);
    }
  };
  return new Promise((resolve, reject) => {
    ws.onerror = () => reject(new Error("DevTools connection failed"));
    ws.onopen = () => resolve({
      send: (method, params = {}) => new Promise((res, rej) => {
        const id = ++next;
        pending.set(id, { resolve: res, reject: rej });
        ws.send(JSON.stringify({ id, method, params }));
      }),
      close: () => ws.close(),
    });
  });
}

try {
  const browser = await new Promise((resolve, reject) => {
    let err = "";
    chromium.stderr.on("data", (d) => {
      err += d;
      const m = err.match(/DevTools listening on ws:\/\/([^/\s]+)\//);
      if (m) resolve(m[1]);
    });
    chromium.on("exit", (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
    setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 30000);
  });
  const pages = await (await fetch(`http://${browser}/json/list`)).json();
  const page = await connect(pages.find((p) => p.type === "page").webSocketDebuggerUrl);
  await page.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
  await page.send("Page.enable");
  await page.send("Page.navigate", { url });
  await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
  // what the page holds: its history, the headline values, and how many saturated (series-coloured)
  // pixels each canvas has: the grid and labels are grey, the series lines are not
  const probe = `JSON.stringify({
    points: history.length,
    last: history[history.length - 1] || null,
    status: document.getElementById("status").textContent,
    values: Object.fromEntries([...document.querySelectorAll(".value")].map((e) => [e.id, e.textContent])),
    coloured: Object.fromEntries([...document.querySelectorAll("canvas")].map((c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) n++;
      }
      return [c.id, n];
    })),
  })`;
  const result = await page.send("Runtime.evaluate", { expression: probe, returnByValue: true });
  if (result.exceptionDetails) throw new Error(JSON.stringify(result.exceptionDetails));
  const shot = await page.send("Page.captureScreenshot", { format: "png" });
  writeFileSync(png, Buffer.from(shot.data, "base64"));
  console.log(result.result.value);
  page.close();
  finish(0);
} catch (e) {
  console.error(e.stack || String(e));
  finish(1);
}
