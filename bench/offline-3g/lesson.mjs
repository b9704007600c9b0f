// Time to a usable lesson page on emulated slow 3G (see ./run): the lesson
// is usable when its load event has fired (text, styles and the script).
// Prints a Markdown table of medians, and one JSON line of every run.
//
// usage: node lesson.mjs BASE_URL EMAIL PASSWORD LESSON_PATH RUNS
import { chromium } from "playwright-core";

const [base, email, password, lesson, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const SLOW_3G = { offline: false, latency: 400, downloadThroughput: 400000 / 8, uploadThroughput: 400000 / 8 };

const browser = await chromium.launch({
  executablePath: process.env.AGORA_TEST_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
// Signed in once, without throttling: every run reuses the session cookie.
const signIn = await browser.newContext();
const p = await signIn.newPage();
await p.goto(`${base}/sign-in`);
await p.fill("#email", email);
await p.fill("#password", password);
await Promise.all([p.waitForNavigation(), p.click("main form button.button")]);
const cookies = await signIn.cookies();
await signIn.close();

async function visit(page) {
  const t0 = Date.now();
  const r = await page.goto(base + lesson, { waitUntil: "load" });
  if (!r || !r.ok()) throw new Error(`lesson: ${r && r.status()}`);
  const timing = await page.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { ttfb: n.responseStart, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, transfer: n.transferSize };
  });
  await page.locator("main h1").first().waitFor();
  return { ...timing, wall: Date.now() - t0 };
}

const cold = [], warm = [];
for (let i = 0; i < runs; i++) {
  // The service worker is blocked: DevTools throttling does not reach its
  // own fetches, so with it the warm figure would not be on slow 3G.
  const context = await browser.newContext({ serviceWorkers: "block" });
  await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_3G);
  cold.push(await visit(page));
  warm.push(await visit(page));
  await context.close();
}
await browser.close();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
// Navigation Timing's first byte does not show the emulated latency, so it
// is left out; the load event and the wall clock (goto to load) do.
const row = (name, xs) => `| ${name} | ${median(xs.map((x) => x.dcl)).toFixed(0)} | ${median(xs.map((x) => x.load)).toFixed(0)} | ${median(xs.map((x) => x.wall)).toFixed(0)} | ${median(xs.map((x) => x.transfer))} |`;
console.log(`| slow 3G, ${runs} runs (median) | DOM ready, ms | usable (load event), ms | wall clock, ms | page bytes on the wire |`);
console.log("|---|---:|---:|---:|---:|");
console.log(row("cold (empty cache)", cold));
console.log(row("warm (same lesson again)", warm));
console.log(JSON.stringify({ lesson, cold, warm }));
