// The offline journey in a real browser (issue 23), driven by e2e::offline_browser:
// sign in, save a course, go offline, read every lesson, complete them
// offline, see an unsaved page fall back to the offline page, come back
// online and let the queue sync. Prints one JSON line of what happened.
//
// usage: node journey.mjs BASE_URL EMAIL PASSWORD SLUG
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, email, password, slug] = process.argv.slice(2);
// ATTEMPTS quiz answers are submitted offline (the last one right), then
// one more, which the server refuses: every attempt is used by then.
const ATTEMPTS = 20;
// The first sync is cut off after CUT requests: the CUT-th reaches the
// server but its answer is lost on the way back.
const CUT = 40;
const out = { axe: [], saved_listed: 0, saved: false, lessons: 0, read_offline: 0, offline_page: false, queued: 0, waiting_shown: 0,
  attempts_waiting: 0, sent_first: 0, left_after_first: -1, left_after_sync: -1, scored: { pass: 0, fail: 0, refused: 0 }, refused_reason: "", errors: [] };

const axeSource = readFileSync(process.env.AGORA_TEST_AXE, "utf8");

// axe-core (installed by scripts/test) on the page as it is now.
async function axe(page, name) {
  // Evaluated through the DevTools protocol: the page's CSP allows no inline script.
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => axe.run(document).then((r) => ({
    passes: r.passes.length,
    violations: r.violations.map((v) => `${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`),
  })));
  if (r.passes < 5) out.axe.push(`${name}: axe checked nothing`);
  r.violations.forEach((v) => out.axe.push(`${name}: ${v}`));
}

const browser = await chromium.launch({
  executablePath: process.env.AGORA_TEST_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  page.on("pageerror", (e) => out.errors.push(String(e)));

  await page.goto(`${base}/sign-in`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("main form button.button")]);

  // The worker installs and takes the page over.
  await page.goto(`${base}/courses/${slug}`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);

  // The list the worker saves: every lesson page.
  const list = await page.evaluate(async (s) => (await fetch(`/api/v1/courses/${s}/offline`)).json(), slug);
  const lessons = list.items.map((i) => i.url).filter((u) => u.includes("/lessons/"));
  out.lessons = lessons.length;

  await page.click("[data-offline-start]");
  // The total first; then the download.
  await page.locator("[data-offline-download]").waitFor();
  await page.click("[data-offline-download]");
  await page.waitForFunction(
    () => document.querySelector("[data-offline-status]").textContent.startsWith("Saved on this device"),
    null,
    { timeout: 60000 },
  );
  out.saved = true;

  // The saved-courses page lists it, with its size and a remove button.
  await page.goto(`${base}/offline/saved`);
  await page.locator("[data-saved-list] li").first().waitFor({ timeout: 10000 });
  out.saved_listed = await page.locator("[data-saved-list] li").count();
  await axe(page, "saved courses");

  await context.setOffline(true);
  for (const url of lessons) {
    const r = await page.goto(base + url);
    const offline = await page.locator("text=You are offline").count();
    const title = await page.locator("main h1").first().textContent().catch(() => "");
    if (r && r.ok() && offline === 0 && title) out.read_offline += 1;
    else out.errors.push(`not readable offline: ${url}`);
    // Complete it offline: queued with its client event id.
    const button = page.locator("form[data-enhance=complete] button");
    if (await button.count()) {
      await button.click();
      await page.locator("p.waiting").waitFor({ timeout: 10000 });
      out.waiting_shown += 1;
    }
  }
  // Quiz answers, offline: each queued with its own event id, "waiting to sync".
  const quiz = lessons.find((u) => u.endsWith("/check"));
  await page.goto(base + quiz);
  for (let i = 0; i <= ATTEMPTS; i++) {
    await page.check(i === ATTEMPTS - 1 ? "#q-q1-b" : "#q-q1-a");
    await page.click("form[data-offline-quiz] button");
    await page.waitForFunction((n) => document.querySelectorAll("[data-offline-attempts] li.waiting").length === n, i + 1, { timeout: 10000 });
  }
  out.attempts_waiting = await page.locator("[data-offline-attempts] li.waiting").count();

  // Events not yet sent (scored attempts and refusals stay, to be shown).
  const count = () => page.evaluate(() => new Promise((ok, fail) => {
    const open = indexedDB.open("agora", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("events", { keyPath: "id" });
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const r = open.result.transaction("events").objectStore("events").getAll();
      r.onsuccess = () => ok(r.result.filter((e) => !e.scored && !e.refused).length);
    };
  }));
  out.queued = await count();

  // A page that was never saved: the offline page, not the browser's error.
  await page.goto(`${base}/courses`);
  out.offline_page = (await page.locator("text=You are offline").count()) > 0;
  await axe(page, "offline page");

  // Back online, the first time: the connection drops midway through the
  // sync. Requests after the CUT-th fail; the CUT-th reaches the server,
  // but its answer never comes back.
  let sent = 0;
  await context.route(/\/api\/v1\/courses\/.*\/(completion|attempts)\?/, async (route) => {
    sent += 1;
    if (sent < CUT) return route.continue();
    if (sent === CUT) await route.fetch().catch(() => null);
    return route.abort("internetdisconnected");
  });
  await context.setOffline(false);
  await page.goto(`${base}/my-learning`);
  let deadline = Date.now() + 60000;
  while (sent < CUT && Date.now() < deadline) await page.waitForTimeout(200);
  await context.setOffline(true);
  await page.waitForTimeout(500);
  out.sent_first = sent;
  out.left_after_first = await count();
  await context.unrouteAll({ behavior: "wait" });

  // Back online, the second time: the rest syncs (Background Sync, or the
  // next load), the lost answer's event again among them.
  await context.setOffline(false);
  await page.goto(`${base}/my-learning`);
  deadline = Date.now() + 60000;
  let left = await count();
  while (left > 0 && Date.now() < deadline) {
    await page.waitForTimeout(500);
    left = await count();
  }
  out.left_after_sync = left;

  // The quiz page shows the server's feedback for each attempt, and the
  // refused one with its reason; so does the saved-courses page.
  await page.goto(base + quiz);
  await page.waitForFunction(() => document.querySelectorAll("[data-offline-attempts] li").length > 0, null, { timeout: 10000 });
  for (const k of ["pass", "fail", "refused"]) out.scored[k] = await page.locator(`[data-offline-attempts] li.${k}`).count();
  out.refused_reason = (await page.locator("[data-offline-attempts] li.refused").first().textContent().catch(() => "")) || "";
  await page.goto(`${base}/offline/saved`);
  await page.locator("[data-queue-list] li").first().waitFor({ timeout: 10000 });
  out.saved_page_refused = await page.locator("[data-queue-list] li", { hasText: "Not recorded" }).count();
} catch (e) {
  out.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
