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
// - every code block, and every copy of it for a highlight step, is read
//   from the back of the room: measured in the page at 1280x720 after
//   reveal.js's scaling, each line at least MIN_LINE_PX high (one line's
//   box), none wrapped or cut off, no gutter number split, dimmed lines at
//   3:1 or more against the code's background (see measureCode);
// - the first slide of each chapter is saved as DIR2/chapterNN.png, and each
//   slide with code as DIR2/chapterNN-VV.png (VV its place in the chapter),
//   1280x720.
//
// It ends with "slides: N passed, N failed" and exits 1 on any failure.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { MarkerError, allMarkers, codeDirectives, readMarker } from './lib/markers.mjs';
import { MIN_LINE_PX } from './lib/layout.mjs';

const MIN_DIMMED_CONTRAST = 3; // WCAG's figure for large text

const SLIDES = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(SLIDES, '..');
// The chapters, from their one list (chapters/chapters.json).
const CHAPTERS = JSON.parse(fs.readFileSync(path.join(ROOT, 'chapters', 'chapters.json'), 'utf8'))
  .chapters.map((c) => c.number);

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

// What a room sees of each code block of the current slide, measured in the
// page after reveal.js has scaled the slide to the window (every figure is
// from getBoundingClientRect and getClientRects, in screen pixels):
// - the line box: the height of one code line (a row of the block whose
//   text sits on one line), which is what "20 px high" means;
// - each line that wraps (its text on more than one line: told by the
//   tops of its rectangles), and each gutter number taller than a line;
// - what is cut off: the code scrolls sideways (scrollWidth > clientWidth)
//   or downwards, or the block runs off the slide;
// - the dimmed lines of a highlight step: the contrast of each bit of text
//   (its colour, faded by the opacity of it and its ancestors up to the
//   row, over the background it is drawn on), against that background, as
//   WCAG's relative-luminance ratio; the lowest is kept.
// A block with highlight steps has a copy per step, laid over the first:
// each copy is measured (a copy is laid out even while it is hidden).
function measureCode() {
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const luminance = ([r, g, b]) => {
    const c = (x) => { const s = x / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const backgroundOf = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  // The colour text is drawn in, over its background, with the opacity of
  // the element and its ancestors up to the row (the dimming); not the
  // block's own, which is a step copy's fading in.
  const drawn = (element, row) => {
    const [r, g, b, a] = rgba(getComputedStyle(element).color);
    let alpha = a;
    for (let e = element; e && e !== row.parentElement; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
    const bg = backgroundOf(element);
    return { fg: [r, g, b].map((v, i) => v * alpha + bg[i] * (1 - alpha)), bg };
  };
  const linesOf = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const tops = [];
    for (const rect of range.getClientRects()) {
      if (rect.height === 0) continue;
      if (!tops.some((t) => Math.abs(t - rect.top) < rect.height / 2)) tops.push(rect.top);
    }
    return Math.max(tops.length, 1);
  };
  const slide = Reveal.getCurrentSlide();
  const frame = document.querySelector('.reveal .slides').getBoundingClientRect(); // the slide, scaled
  return Array.from(slide.querySelectorAll('code[data-slide]'), (code, index) => {
    const rows = Array.from(code.querySelectorAll('tr'));
    const first = Number(code.dataset.lnStartFrom || 1);
    const found = { name: code.dataset.slide, file: code.dataset.source, lines: code.dataset.lines,
      copy: code.classList.contains('fragment'), index, rows: rows.length, lineBox: null,
      wraps: [], splits: [], cut: [], dimmed: null };
    const single = [];
    rows.forEach((row, k) => {
      const cell = row.querySelector('td.hljs-ln-code');
      if (!cell) return;
      const count = linesOf(cell);
      if (count > 1) found.wraps.push({ line: first + k, lines: count });
      else single.push(row.getBoundingClientRect().height);
    });
    if (single.length) found.lineBox = single.sort((a, b) => a - b)[Math.floor(single.length / 2)];
    rows.forEach((row, k) => {
      const n = row.querySelector('.hljs-ln-n');
      const height = n ? n.getBoundingClientRect().height : 0;
      if (found.lineBox && height > found.lineBox * 1.5) found.splits.push({ line: first + k, lines: Math.round(height / found.lineBox) });
    });
    if (code.scrollWidth > code.clientWidth + 1) found.cut.push(`scrolls sideways: ${code.scrollWidth - code.clientWidth} px of its ${code.scrollWidth} hidden`);
    if (code.scrollHeight > code.clientHeight + 1) found.cut.push(`scrolls down: ${code.scrollHeight - code.clientHeight} px hidden`);
    const box = code.closest('.code-block')?.getBoundingClientRect() ?? code.getBoundingClientRect();
    if (box.right > frame.right + 1) found.cut.push(`runs ${Math.round(box.right - frame.right)} px past the slide's right edge`);
    if (box.bottom > frame.bottom + 1) found.cut.push(`runs ${Math.round(box.bottom - frame.bottom)} px below the slide's bottom edge`);
    if (code.classList.contains('has-highlights')) {
      rows.forEach((row, k) => {
        if (row.classList.contains('highlight-line')) return;
        const texts = [];
        const walker = document.createTreeWalker(row.querySelector('td.hljs-ln-code'), NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode(); t; t = walker.nextNode()) if (t.textContent.trim()) texts.push([t.parentElement, t.textContent.trim()]);
        const n = row.querySelector('.hljs-ln-n');
        if (n) texts.push([n, `the number ${first + k}`]);
        for (const [element, text] of texts) {
          const { fg, bg } = drawn(element, row);
          const contrast = ratio(fg, bg);
          if (!found.dimmed || contrast < found.dimmed.contrast) found.dimmed = { contrast, line: first + k, text: text.slice(0, 30) };
        }
      });
    }
    return found;
  });
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
    lines: code.dataset.lines ?? null,
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
  const look = { slides: 0, blocks: 0, smallest: null }; // the code slides' figures
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
        h, v: v ?? 0, chapter: stack.dataset.chapter ?? null, stack: stack.id, line: slide.dataset.deckLine,
        part: slide.dataset.part ?? null, code: slide.querySelector('code[data-slide]') !== null,
        title: (slide.querySelector('h1, h2, h3')?.textContent ?? '').trim(),
        notes: (slide.querySelector('aside.notes')?.textContent ?? '').trim().length > 0,
      };
    }));

    // Visit every slide and every fragment, and compare each code block
    // with its source as it reads today.
    const perChapter = new Map(CHAPTERS.map((c) => [c, { slides: 0, code: 0, steps: 0, failed: 0 }]));
    const shown = new Map(); // "file name" -> the set of the region's lines some slide shows
    for (const slide of slides) {
      await page.evaluate(({ h, v }) => Reveal.slide(h, v), slide);
      const where = `slide ${slide.h}.${slide.v} "${slide.title}" (${meta.source}:${slide.line})`;
      const tally = slide.chapter ? perChapter.get(slide.chapter) : null;
      if (tally) tally.slides++;
      if (tally && !slide.notes) {
        failures.push(`${where}: no speaker notes (Note: in the deck source)`);
        tally.failed++;
      }
      // A code slide as the room sees it: a picture, and the four measures.
      if (slide.code) {
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        const shot = `${slide.chapter ? `chapter${slide.chapter}` : slide.stack}-${String(slide.v).padStart(2, '0')}.png`;
        await page.screenshot({ path: path.join(args.screenshots, shot) });
        look.slides++;
        const found = [];
        const steps = new Map();
        for (const block of await page.evaluate(measureCode)) {
          const key = `${block.file} ${block.name} ${block.lines}`;
          steps.set(key, (steps.get(key) ?? 0) + 1);
          const what = `[slide:${block.name}] of ${block.file}` +
            (block.lines && !block.lines.startsWith('1-') ? ` (lines ${block.lines})` : '') +
            (block.copy ? `, highlight step ${steps.get(key)}` : '');
          const problems = [];
          if (block.lineBox === null) problems.push('no line of it stays on one line');
          else if (block.lineBox < MIN_LINE_PX - 0.05) problems.push(`code ${block.lineBox.toFixed(1)} px high (one line's box on screen), needs ${MIN_LINE_PX}`);
          if (block.wraps.length) {
            problems.push(block.wraps.slice(0, 3).map((w) => `line ${w.line} wraps onto ${w.lines} lines`).join(', ') +
              (block.wraps.length > 3 ? ` (and ${block.wraps.length - 3} more)` : ''));
          }
          if (block.splits.length) {
            problems.push(block.splits.slice(0, 3).map((w) => `gutter number ${w.line} split over ${w.lines} lines`).join(', ') +
              (block.splits.length > 3 ? ` (and ${block.splits.length - 3} more)` : ''));
          }
          problems.push(...block.cut.map((c) => `the code ${c}`));
          if (block.dimmed && block.dimmed.contrast < MIN_DIMMED_CONTRAST) {
            problems.push(`dimmed line ${block.dimmed.line} (${JSON.stringify(block.dimmed.text)}): contrast ${block.dimmed.contrast.toFixed(1)}:1, needs ${MIN_DIMMED_CONTRAST}:1`);
          }
          if (block.lineBox !== null && (!look.smallest || block.lineBox < look.smallest.px)) look.smallest = { px: block.lineBox, where: `${where}, ${what}` };
          look.blocks++;
          // A step copy shares its block's size and lines: say those once.
          for (const problem of problems) {
            if (!found.some((f) => f.key === key && f.problem === problem)) found.push({ key, what, problem });
          }
          if (!problems.length) passed++;
        }
        for (const f of found) failures.push(`${where}, ${f.what}: ${f.problem} (screenshot ${shot})`);
        if (tally && found.length) tally.failed++;
      }
      await page.evaluate(() => { while (Reveal.nextFragment()) { /* every step */ } });
      for (const block of await page.evaluate(shownCode)) {
        let want;
        try {
          want = readMarker(ROOT, block.file, block.name);
        } catch (error) {
          if (!(error instanceof MarkerError)) throw error;
          want = null;
          failures.push(`${where}: ${error.message}`);
        }
        // A block split across slides shows lines from-to of its region.
        if (want !== null) {
          const all = want.split('\n');
          const [from, to] = (block.lines ?? `1-${all.length}`).split('-').map(Number);
          want = all.slice(from - 1, to).join('\n');
          const key = `${block.file} ${block.name}`;
          if (!shown.has(key)) shown.set(key, new Set());
          for (let n = from; n <= Math.min(to, all.length); n++) shown.get(key).add(n);
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
        const lines = shown.get(`${d.file} ${d.name}`);
        if (!lines) {
          failures.push(`${meta.source}:${d.line}: {{code ${d.file} ${d.name}}} is not in the built deck; rebuild it`);
          continue;
        }
        let region = [];
        try { region = readMarker(ROOT, d.file, d.name).split('\n'); } catch { /* reported above */ }
        // An empty line between two parts of a split block is shown by neither.
        const missing = region.map((text, k) => (text === '' || lines.has(k + 1) ? 0 : k + 1)).filter(Boolean);
        if (missing.length) {
          failures.push(`${meta.source}:${d.line}: lines ${missing[0]}-${missing[missing.length - 1]} of [slide:${d.name}] of ${d.file} are on no slide; rebuild the deck`);
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
  if (look.slides) {
    console.log(`code: ${look.slides} code slides, ${look.blocks} blocks and step copies measured at 1280x720; ` +
      `the smallest code is ${look.smallest ? `${look.smallest.px.toFixed(1)} px a line (${look.smallest.where})` : 'not measured'}`);
  }
  console.log(`deck ${args.deck}: ${meta.lang ?? '?'}, from ${meta.source ?? '?'}, ${slides.length} slides; screenshots in ${args.screenshots}; ${seconds} s`);
  console.log(`slides: ${passed} passed, ${failures.length} failed`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((error) => {
  console.error(`slides test: ${error.stack || error}`);
  process.exit(1);
});
