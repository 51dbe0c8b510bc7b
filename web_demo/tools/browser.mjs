// Drive the page in headless Chromium (playwright-core, Debian's /usr/bin/chromium) for the Python
// tools: `node tools/browser.mjs JOB.json` prints one JSON document on stdout, logs go to stderr.
// Jobs (field "job"):
//   analyse  {url, images: [{kind: "file", path} | {kind: "rgb", path, width, height}]}
//   bench    {url, warmup, iters, input?: path of raw float32 input bytes}
//   endtoend {url, image, iters}: decode + preprocess + inference of one photo, ms per stage per run
//   page     {url, image, screenshot}: upload a photo with the file picker, read what the page shows
// Exit codes: 0 done, 1 the page reported an error, 2 bad job or no browser.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const TIMEOUT_MS = Number(process.env.HIERATTN_BROWSER_TIMEOUT_MS ?? 120000);

function fail(message, code = 1) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

async function openPage(context, url) {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on('console', (m) => { if (m.type() === 'error') process.stderr.write(`[page] ${m.text()}\n`); });
  page.on('pageerror', (e) => process.stderr.write(`[page] ${e.message}\n`));
  await page.goto(url);
  const status = page.locator('#model-status:not([data-state="loading"])');
  await status.waitFor();
  if ((await status.getAttribute('data-state')) !== 'ready') fail(`the page could not load the model: ${await status.textContent()}`);
  return page;
}

async function analyse(page, job) {
  const results = [];
  for (const item of job.images) {
    const b64 = readFileSync(item.path).toString('base64');
    const out = item.kind === 'rgb'
      ? await page.evaluate(([w, h, data]) => globalThis.hierattn.analyseRgb(w, h, data), [item.width, item.height, b64])
      : await page.evaluate(([data, name]) => globalThis.hierattn.analyseFile(data, name), [b64, basename(item.path)]);
    results.push(out);
  }
  return { threads: await page.evaluate(() => globalThis.hierattn.threads()), results };
}

async function bench(page, job) {
  const inputB64 = job.input ? readFileSync(job.input).toString('base64') : null;
  return page.evaluate((o) => globalThis.hierattn.bench(o), { warmup: job.warmup, iters: job.iters, input_b64: inputB64 });
}

async function endToEnd(page, job) {
  const b64 = readFileSync(job.image).toString('base64');
  return page.evaluate(([data, name, iters]) => globalThis.hierattn.endToEnd(data, name, iters), [b64, basename(job.image), job.iters]);
}

async function showPhoto(page, job) {
  await page.setInputFiles('#photo', job.image);
  const status = page.locator('#status[data-state="done"], #status[data-state="error"]');
  await status.waitFor();
  if ((await status.getAttribute('data-state')) === 'error') fail(`the page reported: ${await status.textContent()}`);
  const top = await page.locator('#top li').evaluateAll((lis) => lis.map((li) => ({
    rank: Number(li.dataset.rank), label: li.dataset.label, probability: Number(li.dataset.probability), text: li.textContent,
  })));
  const shown = {
    top,
    crop_box: JSON.parse(await page.locator('#crop-box').getAttribute('data-box')),
    crop_box_text: await page.locator('#crop-box').textContent(),
    referral: await page.locator('#referral').textContent(),
    disclaimer: await page.locator('#disclaimer').textContent(),
    notice: await page.locator('#notice').textContent(),
    timing: await page.locator('#timing').textContent(),
    model_status: await page.locator('#model-status').textContent(),
    threads: await page.evaluate(() => globalThis.hierattn.threads()),
  };
  if (job.screenshot) await page.screenshot({ path: job.screenshot, fullPage: true });
  return shown;
}

const JOBS = { analyse, bench, endtoend: endToEnd, page: showPhoto };

async function main() {
  if (process.argv.length !== 3) fail('usage: node tools/browser.mjs JOB.json', 2);
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const run = JOBS[job.job];
  if (!run) fail(`unknown job '${job.job}' (expected ${Object.keys(JOBS).join(', ')})`, 2);
  const profile = mkdtempSync(join(tmpdir(), 'hierattn-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: job.chromium ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1000, height: 900 },
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    fail(`cannot start Chromium: ${err.message.split('\n')[0]}`, 2);
  }
  try {
    const page = await openPage(context, job.url);
    const out = await run(page, job);
    out.browser = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err) => fail(err.message.split('\n')[0]));
