// A course downloaded as one file, unpacked, read in Chromium from file://
// with no server (issue 23), driven by e2e::offline_zip: every page opens,
// shows its heading, and every image on it loads. Prints one JSON line.
//
// usage: node archive.mjs FOLDER   (the unpacked course: FOLDER/index.html)
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [folder] = process.argv.slice(2);
const out = { pages: 0, pages_ok: 0, images: 0, images_ok: 0, links: 0, links_ok: 0, errors: [] };
const pages = ["index.html", ...readdirSync(join(folder, "lessons")).sort().map((f) => `lessons/${f}`)];

const browser = await chromium.launch({
  executablePath: process.env.AGORA_TEST_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const context = await browser.newContext();
  // Nothing but files: a request to any server is a failure.
  await context.route(/^https?:/, (route) => { out.errors.push(`network: ${route.request().url()}`); return route.abort(); });
  const page = await context.newPage();
  for (const p of pages) {
    out.pages += 1;
    const url = pathToFileURL(join(folder, p)).href;
    try {
      await page.goto(url, { waitUntil: "load" });
      const h1 = (await page.locator("main h1").first().textContent()) || "";
      const styled = await page.evaluate(() => getComputedStyle(document.body).maxWidth !== "none");
      if (h1.trim() && styled) out.pages_ok += 1;
      else out.errors.push(`${p}: heading ${JSON.stringify(h1)}, styled ${styled}`);
      const imgs = await page.evaluate(() => [...document.images].map((i) => ({ src: i.src, ok: i.complete && i.naturalWidth > 0 })));
      for (const i of imgs) {
        out.images += 1;
        if (i.ok) out.images_ok += 1;
        else out.errors.push(`${p}: image ${i.src} did not load`);
      }
      // Every link to another page of the archive leads to a file that exists.
      const links = await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((a) => a.href).filter((h) => h.startsWith("file:")));
      for (const l of links) {
        out.links += 1;
        if (existsSync(fileURLToPath(l.split("#")[0]))) out.links_ok += 1;
        else out.errors.push(`${p}: link ${l} leads nowhere`);
      }
    } catch (e) {
      out.errors.push(`${p}: ${e}`);
    }
  }
} catch (e) {
  out.errors.push(String(e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
