// The offline journey in a real browser (issue 23), driven by e2e::offline_browser:
// sign in, save a course, go offline, read every lesson, complete them
// offline, see an unsaved page fall back to the offline page, come back
// online and let the queue sync. Prints one JSON line of what happened.
//
// usage: node journey.mjs BASE_URL EMAIL PASSWORD SLUG
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, email, password, slug] = process.argv.slice(2);
const out = { axe: [], saved_listed: 0, saved: false, lessons: 0, read_offline: 0, offline_page: false, queued: 0, waiting_shown: 0, left_after_sync: -1, errors: [] };

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
  // The queue holds one event per completion.
  const count = () => page.evaluate(() => new Promise((ok, fail) => {
    const open = indexedDB.open("agora", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("events", { keyPath: "id" });
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const r = open.result.transaction("events").objectStore("events").count();
      r.onsuccess = () => ok(r.result);
    };
  }));
  out.queued = await count();

  // A page that was never saved: the offline page, not the browser's error.
  await page.goto(`${base}/courses`);
  out.offline_page = (await page.locator("text=You are offline").count()) > 0;
  await axe(page, "offline page");

  // Back online: the queue syncs (Background Sync, or the next load).
  await context.setOffline(false);
  await page.goto(`${base}/my-learning`);
  const deadline = Date.now() + 60000;
  let left = await count();
  while (left > 0 && Date.now() < deadline) {
    await page.waitForTimeout(500);
    left = await count();
  }
  out.left_after_sync = left;
} catch (e) {
  out.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
