// Decides how the code of a slide is laid out, so that a room can read it:
// every code line at least MIN_LINE_PX high on the screen, on one line of
// its own, at the largest size that fills the slide. build.mjs asks for a
// plan per slide of the deck's source; test.mjs measures the result.
//
// A slide is tried, in this order, as written (columns side by side),
// with its columns stacked (Python above C++), as consecutive slides (one
// column, or one code block, each), and a block that is still too long is
// split across consecutive slides where its highlight steps allow (a step
// never spans two slides, and the steps keep their order). What cannot be
// laid out at all (a line too long for the slide's width, a step longer than
// a slide) is an error naming the marker.
//
// The figures are the deck's own (theme.css): keep the two in step.

// "20 px high" is the line box of one code line on the screen: the height
// that one line of code takes, after reveal.js has scaled the slide.
export const MIN_LINE_PX = 20;

// reveal.js scales the 1280x720 slide to the window, less its margin (0.03):
// at 1280x720, and on a 1280x800 projector, the slide is drawn at 0.97.
export const SLIDE = { width: 1280, height: 720, margin: 0.03 };
const SCALE = 1 - SLIDE.margin;

// theme.css, in em of the slide's code font.
const LINE = 1.25; // a code line's box
const CHAR = 0.602; // one character of DejaVu Sans Mono (Menlo's is the same, Consolas's narrower)
const GUTTER = 1.0; // the line numbers' padding and the highlight bar, beside the digits
const CODE_PAD_X = 0.9; // the code's padding, left and right, plus a little room
const BLOCK_EXTRA = 1.8; // per block: the file's name above it, the code's padding, the gap below

// In CSS pixels of the slide.
const MIN_FONT = Math.ceil(((MIN_LINE_PX + 0.2) / SCALE / LINE) * 10) / 10; // a margin over the least
const MAX_FONT = 28;
const BOTTOM = 20; // kept clear of the slide number
const COLUMN_GAP = 20;
const TITLE_LINE = 41; // an h2 of 34 px on a code slide
const TITLE_EXTRA = 19; // its rule and the space under it
const TEXT = 30; // the deck's body text
const TEXT_CHAR = 0.5; // an average character of Source Sans Pro, in em

export const LAYOUT = { MIN_FONT, MAX_FONT, LINE, CHAR };

// The inline Markdown that takes no room on the slide.
const plain = (text) => text.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
const wrapped = (chars, widthPx, fontPx) => Math.max(1, Math.ceil(chars / (widthPx / (fontPx * TEXT_CHAR))));

// The height a run of the deck's text lines takes (headings, paragraphs,
// lists, tables, quotes), at the width given; in a column the body text
// is 0.8 of its size (theme.css).
function textHeight(lines, widthPx, inColumn) {
  const font = inColumn ? TEXT * 0.8 : TEXT;
  let height = 0;
  let paragraph = 0;
  let list = false;
  const endParagraph = () => {
    if (paragraph) height += wrapped(paragraph, widthPx, font) * font * 1.3 + 16;
    paragraph = 0;
  };
  for (const { text } of lines) {
    const t = text.trim();
    let m;
    if (t === '') { endParagraph(); continue; }
    if ((m = t.match(/^(#{1,3})\s+(.*)$/))) {
      endParagraph();
      const size = { 1: 57, 2: 34, 3: 31.5 }[m[1].length];
      height += wrapped(plain(m[2]).length, widthPx, size) * size * 1.2 + (m[1].length === 2 ? TITLE_EXTRA : 20);
    } else if ((m = t.match(/^([-+]|\d+\.)\s+(.*)$/))) {
      endParagraph();
      if (!list) height += 16;
      list = true;
      height += wrapped(plain(m[2]).length, widthPx - 1.1 * font, font) * font * 1.3 + 0.4 * font;
      continue;
    } else if (t.startsWith('|')) {
      endParagraph();
      height += 0.62 * TEXT * 1.6;
    } else if (t.startsWith('>')) {
      endParagraph();
      height += wrapped(plain(t).length, widthPx * 0.85, font) * font * 1.3 + 0.8 * font + 16;
    } else if (/^\s{2,}\S/.test(text) && list) {
      height += wrapped(plain(t).length, widthPx, font) * font * 1.3 - font * 1.3;
      continue;
    } else {
      paragraph += plain(t).length + 1;
    }
    list = false;
  }
  endParagraph();
  return height;
}

// A code block's needs, in em of the code font.
function blockNeeds(block) {
  const digits = String(block.from + block.lines - 1).length;
  return {
    width: (block.chars + digits) * CHAR + GUTTER + CODE_PAD_X,
    height: block.lines * LINE + BLOCK_EXTRA,
  };
}

// The largest code font at which `items` fit the slide; `side` says how a
// columns group is drawn ('side' or 'stacked'). Returns null when no font
// of MIN_FONT or more fits.
function fontFor(items, side) {
  const width = SLIDE.width;
  let fixed = BOTTOM; // pixels that do not grow with the code
  let em = 0; // em that do: the flow's code
  let widest = 0; // em
  let rows = null; // the columns group, side by side: one [px, em] per column
  let columnsWidth = null; // em for side by side, and the pixels the text columns take
  for (const item of items) {
    if (item.kind === 'text' || item.kind === 'title') fixed += textHeight(item.lines, width, false);
    else if (item.kind === 'code') {
      const needs = blockNeeds(item.block);
      em += needs.height;
      widest = Math.max(widest, needs.width);
    } else if (item.kind === 'columns') {
      if (side === 'side') {
        const share = { em: 0, px: COLUMN_GAP * (item.columns.length - 1) };
        const code = item.columns.filter((c) => c.some((i) => i.kind === 'code'));
        const textOnly = item.columns.length - code.length;
        const textWidth = textOnly ? width * 0.35 : 0;
        share.px += textWidth * textOnly;
        rows = item.columns.map((column) => {
          const hasCode = column.some((i) => i.kind === 'code');
          let px = 0;
          let h = 0;
          let w = 0;
          for (const i of column) {
            if (i.kind === 'code') {
              const needs = blockNeeds(i.block);
              h += needs.height;
              w = Math.max(w, needs.width);
            } else px += textHeight(i.lines, hasCode ? width / item.columns.length : textWidth, true);
          }
          if (hasCode) share.em += w;
          column.weight = hasCode ? w : null;
          return [px, h];
        });
        // A column of text only gets its share of the width as a weight too.
        for (const column of item.columns) if (column.weight === null) column.weight = share.em * 0.35 / (1 - 0.35 * textOnly);
        columnsWidth = share;
      } else {
        for (const column of item.columns) {
          for (const i of column) {
            if (i.kind === 'code') {
              const needs = blockNeeds(i.block);
              em += needs.height;
              widest = Math.max(widest, needs.width);
            } else fixed += textHeight(i.lines, width, true);
          }
        }
      }
    }
  }
  const limits = [MAX_FONT];
  if (widest) limits.push(width / widest);
  if (columnsWidth && columnsWidth.em) limits.push((width - columnsWidth.px) / columnsWidth.em);
  const height = SLIDE.height - fixed;
  if (rows) {
    for (const [px, h] of rows) if (em + h > 0) limits.push((height - px) / (em + h));
    if (rows.some(([px]) => px > height)) return null;
  } else if (em > 0) limits.push(height / em);
  const font = Math.floor(Math.min(...limits) * 10) / 10;
  return font >= MIN_FONT ? font : null;
}

// How many lines of a block fit on a slide of its own, beside the slide's
// other items, at the least font.
function capacity(items, block) {
  let lo = 0;
  let hi = block.lines;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const trial = items.map((i) => (i.kind === 'code' && i.block === block ? { ...i, block: { ...block, lines: mid } } : i));
    if (fontFor(trial, 'stacked') !== null) lo = mid; else hi = mid - 1;
  }
  return lo;
}

// Highlight steps ("1-4|5-13|14"), each a list of [from, to] line ranges.
export function parseSteps(steps) {
  if (!steps) return [];
  return steps.split('|').map((step) => step.split(',').filter(Boolean).map((range) => {
    const [a, b] = range.split('-').map(Number);
    return [a, b ?? a];
  }));
}

// The steps that fall in the part cut at lines cutFrom..cutTo, kept to the
// lines from..to it shows, renumbered from 1 there.
function stepsWithin(steps, cutFrom, cutTo, from, to) {
  return steps.filter((step) => step.every(([a, b]) => a >= cutFrom && b <= cutTo))
    .map((step) => step.map(([a, b]) => [Math.max(a, from), Math.min(b, to)]).filter(([a, b]) => a <= b)
      .map(([a, b]) => (a === b ? `${a - from + 1}` : `${a - from + 1}-${b - from + 1}`)).join(','))
    .filter(Boolean)
    .join('|');
}

// Splits lines 1..n into the fewest parts of at most `most` lines, cut only
// between steps (no step's lines on two slides, the steps in their order),
// the parts as even as can be. Returns [[from, to], ...] or an error text.
function splitLines(n, steps, most) {
  const cuttable = (c) => steps.every((step) => step.every(([a, b]) => !(a <= c && c < b)));
  const spans = steps.map((step) => [Math.min(...step.map(([a]) => a)), Math.max(...step.map(([, b]) => b))]);
  const wide = steps.findIndex((step, i) => spans[i][1] - spans[i][0] + 1 > most);
  if (wide >= 0) return `its step ${wide + 1} (lines ${spans[wide][0]}-${spans[wide][1]}) is longer than the ${most} lines a slide holds`;
  // best[i]: the fewest parts, then the smallest longest part, for lines 1..i
  const best = Array.from({ length: n + 1 }, () => null);
  best[0] = { parts: 0, longest: 0, cuts: [] };
  for (let i = 1; i <= n; i++) {
    if (i < n && !cuttable(i)) continue;
    for (let j = Math.max(0, i - most); j < i; j++) {
      if (!best[j]) continue;
      const candidate = { parts: best[j].parts + 1, longest: Math.max(best[j].longest, i - j), cuts: [...best[j].cuts, [j + 1, i]] };
      const b = best[i];
      if (!b || candidate.parts < b.parts || (candidate.parts === b.parts && candidate.longest < b.longest)) best[i] = candidate;
    }
  }
  if (!best[n]) return `no cut between its steps leaves parts of ${most} lines or fewer`;
  // The steps keep their order: each step's part comes no earlier than the one before's.
  const partOf = (line) => best[n].cuts.findIndex(([a, b]) => line >= a && line <= b);
  const order = spans.map(([a]) => partOf(a));
  if (order.some((p, i) => i && p < order[i - 1])) return 'its steps go back to earlier lines, so a split would show them out of order';
  return best[n].cuts;
}

// The plan for one slide of the source: `items` are its body, in order,
// as { kind: 'text', lines }, { kind: 'code', line, block }, and
// { kind: 'columns', open, separators, close, columns: [items...] }, where
// a block is { file, name, steps, lines, chars, blank: [empty lines], from: 1 }. Returns
// { slides: [{ items, font, columns: 'side'|'stacked', parts: Map(block -> {from, to, steps}) }] }
// or { error }.
export function planSlide(items) {
  const hasColumns = items.some((i) => i.kind === 'columns' && i.columns.some((c) => c.some((x) => x.kind === 'code')));
  const codeCount = (list) => list.reduce((n, i) => n + (i.kind === 'code' ? 1 : i.kind === 'columns' ? i.columns.reduce((m, c) => m + codeCount(c), 0) : 0), 0);
  if (!codeCount(items)) return { slides: [{ items, font: null, columns: 'side', parts: new Map() }] };

  const whole = (list, columns) => ({ items: list, columns, parts: new Map() });
  // As written, then stacked.
  for (const mode of hasColumns ? ['side', 'stacked'] : ['side']) {
    const font = fontFor(items, mode);
    if (font !== null) return { slides: [{ ...whole(items, mode), font }] };
  }

  // One slide per column, or per code block of the flow: the title on each,
  // the text before on the first and the text after on the last.
  const title = items.filter((i) => i.kind === 'title');
  const body = items.filter((i) => i.kind !== 'title');
  const firstCode = body.findIndex((i) => i.kind !== 'text');
  const lastCode = body.length - 1 - [...body].reverse().findIndex((i) => i.kind !== 'text');
  const before = body.slice(0, firstCode);
  const after = body.slice(lastCode + 1);
  const pieces = [];
  for (const item of body.slice(firstCode, lastCode + 1)) {
    if (item.kind === 'columns') for (const column of item.columns) pieces.push(column);
    else if (item.kind === 'code') pieces.push([item]);
    else if (pieces.length) pieces[pieces.length - 1].push(item);
    else pieces.push([item]);
  }
  const slides = [];
  pieces.forEach((piece, index) => {
    const list = [...title, ...(index === 0 ? before : []), ...piece, ...(index === pieces.length - 1 ? after : [])];
    slides.push(list);
  });

  const planned = [];
  for (const list of slides) {
    const font = fontFor(list, 'stacked');
    if (font !== null) { planned.push({ ...whole(list, 'stacked'), font }); continue; }
    // Still too long: each block that does not fit is split, one part a slide.
    const blocks = list.filter((i) => i.kind === 'code');
    if (blocks.length !== 1) {
      // Several blocks in one column: one slide each.
      const textBefore = list.filter((i, k) => i.kind === 'text' && k < list.indexOf(blocks[0]));
      const textAfter = list.filter((i, k) => i.kind === 'text' && k > list.indexOf(blocks[blocks.length - 1]));
      for (const [k, block] of blocks.entries()) {
        const one = [...title, ...(k === 0 ? textBefore : []), block, ...(k === blocks.length - 1 ? textAfter : [])];
        const sub = planSlide(one);
        if (sub.error) return sub;
        planned.push(...sub.slides);
      }
      continue;
    }
    const item = blocks[0];
    const block = item.block;
    const most = capacity(list, block);
    const steps = parseSteps(block.steps);
    const cuts = most > 0 ? splitLines(block.lines, steps, most) : 'not one line fits beside the text of its slide';
    if (typeof cuts === 'string') {
      return { error: `[slide:${block.name}] of ${block.file} (${block.lines} lines) does not fit a slide at ${MIN_LINE_PX} px a line: ${cuts}; narrow the marked region` };
    }
    const at = list.indexOf(item);
    cuts.forEach(([cutFrom, cutTo], k) => {
      // A part neither starts nor ends with an empty line (the line
      // numbers would show nothing there, and reveal.js drops a last one).
      let from = cutFrom;
      let to = cutTo;
      while (from < to && block.blank.includes(from)) from++;
      while (to > from && block.blank.includes(to)) to--;
      const part = { ...block, from, lines: to - from + 1 };
      const partItem = { ...item, block: part };
      const one = [...title, ...list.slice(0, at).filter((i) => i.kind !== 'title' && k === 0), partItem,
        ...list.slice(at + 1).filter(() => k === cuts.length - 1)];
      const font = fontFor(one, 'stacked');
      const parts = new Map([[item.line.n, { from, to, steps: stepsWithin(steps, cutFrom, cutTo, from, to) }]]);
      planned.push({ items: one, columns: 'stacked', parts, font });
    });
  }
  const wide = planned.find((p) => p.font === null);
  if (wide) {
    const block = wide.items.find((i) => i.kind === 'code')?.block;
    return { error: `[slide:${block?.name}] of ${block?.file}: its longest line (${block?.chars} characters) does not fit the slide's width at ${MIN_LINE_PX} px a line; narrow the marked region` };
  }
  return { slides: planned };
}
