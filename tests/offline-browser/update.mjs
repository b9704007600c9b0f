// Saving a course with resource files up to a chosen size, then the
// course is republished while the device has it (issue 23), driven by
// e2e::offline_update: the saved copy updates when the device is next
// online and says so. Prints "SAVED" when the course is saved, then waits
// for the file FLAG (the test republishes the course and creates it).
// Prints one JSON line of what happened.
//
// usage: node update.mjs BASE_URL EMAIL PASSWORD SLUG FLAG
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, email, password, slug, flag] = process.argv.slice(2);
const out = { total_none: "", total_all: "", resource_saved: null, updated_status: "", updated_listed: false, new_text_offline: false, errors: [] };

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
  await page.goto(`${base}/courses/${slug}`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);

  // The total first, for the size chosen; nothing is downloaded yet.
  await page.click("[data-offline-start]");
  await page.locator("[data-offline-choose]").waitFor();
  const status = () => page.locator("[data-offline-status]").textContent();
  await page.selectOption("[data-offline-limit]", "-1");
  out.total_all = await status();
  await page.selectOption("[data-offline-limit]", "0");
  out.total_none = await status();
  if (await page.evaluate((s) => caches.has("agora-course-" + s), slug)) out.errors.push("saved before Download");
  // Resource files of no size: the pages only.
  await page.click("[data-offline-download]");
  await page.waitForFunction(
    () => document.querySelector("[data-offline-status]").textContent.startsWith("Saved on this device"),
    null,
    { timeout: 60000 },
  );
  out.resource_saved = await page.evaluate(async (s) => {
    const c = await caches.open("agora-course-" + s);
    return !!(await c.match(`/courses/${s}/lessons/sheet/resource`));
  }, slug);
  console.log("SAVED");

  // The course is republished meanwhile (by the test).
  const deadline = Date.now() + 60000;
  while (!existsSync(flag) && Date.now() < deadline) await page.waitForTimeout(200);
  // The device is offline, then online again: the saved copy updates.
  await context.setOffline(true);
  await page.waitForTimeout(300);
  await context.setOffline(false);
  await page.waitForTimeout(300);
  await page.goto(`${base}/courses/${slug}`);
  // Polled here: waitForFunction takes the promise an async check returns
  // for a truthy answer, and would not wait at all.
  const updatedBy = Date.now() + 60000;
  while (!(await page.evaluate(async (s) => {
    const r = await (await caches.open("agora-course-" + s)).match("/__saved");
    const about = r && (await r.json());
    return !!(about && about.updated_at);
  }, slug))) {
    if (Date.now() > updatedBy) throw new Error("the saved copy never recorded its update");
    await page.waitForTimeout(200);
  }
  await page.reload();
  await page.waitForFunction(() => document.querySelector("[data-offline-status]").textContent.length > 0);
  out.updated_status = await status();
  await page.goto(`${base}/offline/saved`);
  await page.locator("[data-saved-list] li").first().waitFor({ timeout: 10000 });
  out.updated_listed = (await page.locator("[data-saved-list] li .updated").count()) === 1;
  // Offline, the saved lesson is the new version.
  await context.setOffline(true);
  await page.goto(`${base}/courses/${slug}/lessons/intro`);
  out.new_text_offline = (await page.locator("text=Revised for the new edition").count()) > 0;
} catch (e) {
  out.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
