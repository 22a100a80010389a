#!/usr/bin/env node
// Opens a built deck in a real browser, offline, and checks it:
//
//   node slides/test.mjs --deck DIR --screenshots DIR2 [--chromium /usr/bin/chromium]
//
// - every slide is visited, every fragment stepped through, and any page
//   error, console error or request that leaves the folder fails the test;
// - every code block (code[data-slide]) must show exactly the text that the
//   test reads itself, now, from the marked region of its source file; and
//   every {{code}} directive of the deck's source must be in the deck;
// - each chapter, 00 to 16, is there, and its slides have speaker notes;
// - the first slide of each chapter is saved as DIR2/chapterNN.png (1280x720).
//
// It ends with "slides: N passed, N failed" and exits 1 on any failure.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { MarkerError, allMarkers, codeDirectives, readMarker } from './lib/markers.mjs';

const SLIDES = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(SLIDES, '..');
const CHAPTERS = Array.from({ length: 17 }, (_, n) => String(n).padStart(2, '0'));

// The machine's network is closed: these keep Chromium from trying to reach
// anything (updates, sync, QUIC probes) and from needing a GPU or a sandbox.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function parseArgs(argv) {
  const args = { deck: null, screenshots: null, chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (['--deck', '--screenshots', '--chromium'].includes(flag) && i + 1 < argv.length) args[flag.slice(2)] = argv[++i];
    else {
      console.error(`slides test: unknown argument ${flag}\nusage: node slides/test.mjs --deck DIR --screenshots DIR2 [--chromium PATH]`);
      process.exit(1);
    }
  }
  if (!args.deck || !args.screenshots) {
    console.error('usage: node slides/test.mjs --deck DIR --screenshots DIR2 [--chromium PATH]');
    process.exit(1);
  }
  return args;
}

// The text a code block shows. With line numbers on, the highlight plugin
// turns the block into a table of one row per line, and an empty line into a
// single space (the sources' lines never end in a space: the dedent rule
// strips them), so the lines are read back cell by cell.
function shownCode() {
  const text = (code) => {
    const cells = code.querySelectorAll('td.hljs-ln-code');
    if (!cells.length) return code.textContent;
    return Array.from(cells, (td) => (td.textContent === ' ' ? '' : td.textContent)).join('\n');
  };
  // A block with highlight steps has a copy per step (class "fragment"):
  // each copy is on screen in its turn, so each is checked.
  return Array.from(Reveal.getCurrentSlide().querySelectorAll('code[data-slide]'), (code) => ({
    name: code.dataset.slide, file: code.dataset.source, text: text(code), step: code.classList.contains('fragment'),
  }));
}

// A first line where two texts differ, to say where, not just that.
function firstDifference(want, got) {
  const a = want.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: the source has ${JSON.stringify(a[i] ?? '(nothing)')}, the slide shows ${JSON.stringify(b[i] ?? '(nothing)')}`;
  }
  return 'they differ';
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const deckDir = path.resolve(args.deck);
  const index = path.join(deckDir, 'index.html');
  if (!fs.existsSync(index)) {
    console.error(`slides test: ${index} does not exist: build the deck first (node slides/build.mjs --lang en --out ${args.deck})`);
    process.exit(1);
  }
  if (!fs.existsSync(args.chromium)) {
    console.error(`slides test: no browser at ${args.chromium}: apt-get install chromium (or give --chromium PATH)`);
    process.exit(1);
  }
  fs.mkdirSync(args.screenshots, { recursive: true });

  const failures = [];
  let passed = 0;
  let meta = {};
  let slides = [];
  const problems = []; // page errors, console errors, requests out of the folder
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'slides-chromium-'));
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: args.chromium, headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1, offline: true,
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    // The deck must work from its folder alone: anything else is refused and reported.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (/^(file|data|blob|about):/.test(url)) return route.continue();
      problems.push(`a request left the deck's folder: ${url}`);
      return route.abort();
    });
    await page.goto(pathToFileURL(index).href);
    await page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 30000 });
    await page.evaluate(() => Reveal.configure({ transition: 'none', backgroundTransition: 'none' }));

    meta = await page.evaluate(() => ({
      lang: document.querySelector('meta[name="slides-lang"]')?.content,
      source: document.querySelector('meta[name="slides-source"]')?.content,
    }));
    slides = await page.evaluate(() => Reveal.getSlides().map((slide) => {
      const { h, v } = Reveal.getIndices(slide);
      const stack = slide.parentElement.closest('section') ?? slide;
      return {
        h, v: v ?? 0, chapter: stack.dataset.chapter ?? null, line: slide.dataset.deckLine,
        title: (slide.querySelector('h1, h2, h3')?.textContent ?? '').trim(),
        notes: (slide.querySelector('aside.notes')?.textContent ?? '').trim().length > 0,
      };
    }));

    // Visit every slide and every fragment, and compare each code block
    // with its source as it reads today.
    const perChapter = new Map(CHAPTERS.map((c) => [c, { slides: 0, code: 0, steps: 0, failed: 0 }]));
    const shown = new Set();
    for (const slide of slides) {
      await page.evaluate(({ h, v }) => Reveal.slide(h, v), slide);
      await page.evaluate(() => { while (Reveal.nextFragment()) { /* every step */ } });
      const where = `slide ${slide.h}.${slide.v} "${slide.title}" (${meta.source}:${slide.line})`;
      const tally = slide.chapter ? perChapter.get(slide.chapter) : null;
      if (tally) tally.slides++;
      if (tally && !slide.notes) {
        failures.push(`${where}: no speaker notes (Note: in the deck source)`);
        tally.failed++;
      }
      for (const block of await page.evaluate(shownCode)) {
        shown.add(`${block.file} ${block.name}`);
        let want;
        try {
          want = readMarker(ROOT, block.file, block.name);
        } catch (error) {
          if (!(error instanceof MarkerError)) throw error;
          want = null;
          failures.push(`${where}: ${error.message}`);
        }
        if (want !== null && want !== block.text) {
          failures.push(`${where}: [slide:${block.name}] of ${block.file} is not what the source says (${firstDifference(want, block.text)}); rebuild the deck`);
        }
        const ok = want !== null && want === block.text;
        if (ok) passed++;
        if (tally) {
          if (block.step) tally.steps++; else tally.code++;
          if (!ok) tally.failed++;
        }
        if (!ok && !tally) failures.push(`${where}: (outside the chapters)`);
      }
    }

    // Every directive of the source is in the deck (a deck built before a
    // slide was added is stale).
    if (meta.source && fs.existsSync(path.join(ROOT, meta.source))) {
      for (const d of codeDirectives(fs.readFileSync(path.join(ROOT, meta.source), 'utf8'))) {
        if (!shown.has(`${d.file} ${d.name}`)) {
          failures.push(`${meta.source}:${d.line}: {{code ${d.file} ${d.name}}} is not in the built deck; rebuild it`);
        }
      }
    } else {
      failures.push(`the deck names no source it was built from (meta slides-source): was it built by slides/build.mjs?`);
    }

    // Each chapter's first slide, as a picture; one line per chapter.
    for (const chapter of CHAPTERS) {
      const first = slides.find((s) => s.chapter === chapter);
      const tally = perChapter.get(chapter);
      if (!first) {
        failures.push(`chapter ${chapter} has no slides`);
        console.log(`chapter ${chapter}  MISSING`);
        continue;
      }
      await page.evaluate(({ h }) => Reveal.slide(h, 0), first);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const png = path.join(args.screenshots, `chapter${chapter}.png`);
      await page.screenshot({ path: png });
      if (tally.failed === 0) passed++;
      console.log(`chapter ${chapter}  ${tally.failed ? 'FAIL' : 'ok  '}  ${String(tally.slides).padStart(2)} slides, ` +
        `${String(tally.code).padStart(2)} code blocks (+${String(tally.steps).padStart(2)} step copies) as in their sources  ${first.title}`);
    }
    for (const p of problems) failures.push(p);
  } finally {
    await context.close();
    fs.rmSync(userData, { recursive: true, force: true });
  }

  // Markers that no slide shows yet: a note, not a failure (a chapter may
  // mark code before its slide is written).
  const unshown = allMarkers(ROOT, ['chapters', 'solutions'])
    .filter((m) => !fs.readFileSync(path.join(ROOT, 'slides', 'deck.en.md'), 'utf8').includes(`${m.file} ${m.name}`));
  if (unshown.length) console.log(`note: marked but on no slide: ${unshown.map((m) => `${m.file} [slide:${m.name}]`).join(', ')}`);

  for (const f of failures) console.log(`FAIL ${f}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`deck ${args.deck}: ${meta.lang ?? '?'}, from ${meta.source ?? '?'}, ${slides.length} slides; screenshots in ${args.screenshots}; ${seconds} s`);
  console.log(`slides: ${passed} passed, ${failures.length} failed`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((error) => {
  console.error(`slides test: ${error.stack || error}`);
  process.exit(1);
});
