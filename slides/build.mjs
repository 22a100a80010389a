#!/usr/bin/env node
// Builds the workbook's deck: one folder that opens offline from a file://
// URL or any static server, with reveal.js copied in and the code of every
// slide pulled from the chapters' sources at build time.
//
//   node slides/build.mjs --lang en|pt --out DIR [--run RUN]
//
// RUN, when given, holds a real run's table.jsonl (one JSON object a line,
// as ./workbook bench fetch --json prints them) and its timeline-MODEL.svg
// pictures; the comparison slides show them. Without it they say how to get
// them: no figure in the deck is ever made up.
//
// The deck source, slides/deck.LANG.md, is described in slides/README.md.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MarkerError, CODE_DIRECTIVE, codeDirectives, languageOf, parseOptions, readMarker } from './lib/markers.mjs';
import { planSlide } from './lib/layout.mjs';

const SLIDES = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(SLIDES, '..');
const REVEAL = path.join(SLIDES, 'node_modules', 'reveal.js');
// The chapters, from their one list (chapters/chapters.json): each deck has
// each of them once, in that order.
const CHAPTERS = JSON.parse(fs.readFileSync(path.join(ROOT, 'chapters', 'chapters.json'), 'utf8'))
  .chapters.map((c) => c.number);
const STAMP = '.workbook-slides'; // marks a folder this script made, so it may clear it
const MODELS = ['sync', 'threads', 'processes', 'futures', 'asio', 'asio-bounded'];

// What the build writes in the deck's own words, for the generated slides.
const TEXT = {
  en: {
    columns: ['model', 'workers', 'wall ms', 'max in flight', 'peak MiB', 'cpu ms'],
    caption: (repos) => `${repos} per model, each in a process of its own; max in flight is what the stand-in counted.`,
    noRun: 'No run was given to this build, so there are no figures here.',
    howTable: 'Build the deck from a real run: `./workbook slides` runs the comparison and passes its table here; by hand, `node slides/build.mjs --lang en --out DIR --run RUN`, where RUN holds the `table.jsonl` that `./workbook bench fetch --json` prints.',
    howTimelines: 'The pictures come from the same run: `./workbook slides` draws them, or `./workbook bench fetch --timeline RUN` puts a `timeline-MODEL.svg` per model in RUN.',
    noTimeline: (model) => `no timeline-${model}.svg in this run`,
    opens: (index, dir) => `slides: open ${index} in a browser (or run \`python3 -m http.server\` in ${dir} and open http://127.0.0.1:8000/)`,
  },
  pt: {
    columns: ['modelo', 'workers', 'tempo total ms', 'máx. em andamento', 'pico MiB', 'cpu ms'],
    caption: (repos) => `${repos} por modelo, cada um em seu próprio processo; "máx. em andamento" é a contagem do servidor substituto.`,
    noRun: 'Este build não recebeu uma execução, então não há números aqui.',
    howTable: 'Gere os slides a partir de uma execução de verdade: `./workbook slides` roda a comparação e passa a tabela para cá; à mão, `node slides/build.mjs --lang pt --out DIR --run RUN`, onde RUN tem o `table.jsonl` que `./workbook bench fetch --json` imprime.',
    howTimelines: 'As figuras vêm da mesma execução: `./workbook slides` as desenha, ou `./workbook bench fetch --timeline RUN` grava um `timeline-MODELO.svg` por modelo em RUN.',
    noTimeline: (model) => `esta execução não tem timeline-${model}.svg`,
    opens: (index, dir) => `slides: abra ${index} no navegador (ou rode \`python3 -m http.server\` em ${dir} e abra http://127.0.0.1:8000/)`,
  },
};

function fail(message) {
  console.error(message);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { lang: 'en', out: null, run: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--lang' || flag === '--out' || flag === '--run') {
      if (i + 1 >= argv.length) fail(`slides: ${flag} needs a value`);
      args[flag.slice(2)] = argv[++i];
    } else if (flag === '--help' || flag === '-h') {
      console.log('usage: node slides/build.mjs --lang en|pt --out DIR [--run RUN]');
      process.exit(0);
    } else {
      fail(`slides: unknown argument ${flag} (usage: node slides/build.mjs --lang en|pt --out DIR [--run RUN])`);
    }
  }
  if (!TEXT[args.lang]) fail(`slides: --lang ${args.lang}: the deck is written in en and pt`);
  if (!args.out) fail('slides: --out DIR is required (the folder to build the deck in)');
  return args;
}

const escapeHtml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  .replace(/"/g, '&quot;').replace(/'/g, '&#39;');

// ---------------------------------------------------------------- the source

// Splits deck.LANG.md into stacks (`@section NAME` or `@chapter NN`), each
// into slides (`---`), each into its body and its notes (after `Note:`).
// Every line keeps its number, for messages that point into the file.
function parseDeck(text, sourceName, errors) {
  const deck = { title: '', stacks: [] };
  let slide = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = { text: raw, n: index + 1 };
    const t = raw.trim();
    const where = `${sourceName}:${line.n}`;
    if (t.startsWith('%%')) return; // a comment for the deck's authors
    let m;
    if ((m = t.match(/^@title\s+(.+)$/))) {
      deck.title = m[1];
    } else if ((m = t.match(/^@(section|chapter)\s+(\S+)$/))) {
      if (m[1] === 'chapter' && !CHAPTERS.includes(m[2])) errors.push(`${where}: @chapter ${m[2]}: chapters are ${CHAPTERS[0]} to ${CHAPTERS[CHAPTERS.length - 1]} (chapters/chapters.json)`);
      slide = { lines: [], notes: null, classes: [], n: line.n };
      deck.stacks.push({ kind: m[1], id: m[2], slides: [slide], n: line.n });
    } else if (!slide) {
      if (t !== '') errors.push(`${where}: text before the first @section or @chapter`);
    } else if (t === '---') {
      slide = { lines: [], notes: null, classes: [], n: line.n };
      deck.stacks[deck.stacks.length - 1].slides.push(slide);
    } else if ((m = t.match(/^@class\s+(.+)$/))) {
      slide.classes.push(...m[1].split(/\s+/));
    } else if (t === 'Note:') {
      slide.notes = [];
    } else {
      (slide.notes ?? slide.lines).push(line);
    }
  });
  // The chapters, each once, in the workbook's order.
  const chapters = deck.stacks.filter((s) => s.kind === 'chapter').map((s) => s.id);
  if (chapters.join() !== CHAPTERS.join()) {
    errors.push(`${sourceName}: the deck has chapters ${chapters.join(' ') || '(none)'}; it needs each of ${CHAPTERS.join(' ')} once, in that order`);
  }
  return deck;
}

// ---------------------------------------------------------------- rendering

// Inline Markdown: `code`, **bold**, *emphasis*, [links](url), ![images](file).
function inline(text, ctx) {
  return text.split(/(`[^`]+`)/).map((part) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1) {
      return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
    }
    return escapeHtml(part)
      .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_, alt, src) => `<img src="${ctx.image(src)}" alt="${alt}">`)
      .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/\*([^*\s][^*]*)\*/g, '<em>$1</em>');
  }).join('');
}

// One {{code FILE NAME steps="..."}} directive: the marked region (or the
// part of it that this slide shows, when lib/layout.mjs split it across
// slides), escaped, in the form reveal.js's highlight plugin expects.
// data-line-numbers is always there (line numbers on every block, so a
// room can be told "line 7"); its steps, when given, become fragments.
// data-lines says which lines of the region the block shows, for the test.
function codeBlock(file, name, options, where, errors, part) {
  let code;
  try {
    code = readMarker(ROOT, file, name);
  } catch (error) {
    if (!(error instanceof MarkerError)) throw error;
    errors.push(`slides: ${error.message} (asked for at ${where})`);
    return '';
  }
  for (const option of Object.keys(options)) {
    if (option === 'size') errors.push(`${where}: size="${options.size}": the build chooses the code's size now, to fill the slide (slides/README.md); drop the option`);
    else if (option !== 'steps') errors.push(`${where}: ${option}="...": a code block takes steps="..." only`);
  }
  let steps = options.steps ?? '';
  if (!/^[0-9,|-]*$/.test(steps)) errors.push(`${where}: steps="${steps}": line numbers, ranges (4-8), commas and | only`);
  const lines = code.split('\n');
  const from = part ? part.from : 1;
  const to = part ? part.to : lines.length;
  if (part) {
    code = lines.slice(from - 1, to).join('\n');
    steps = part.steps;
  }
  const start = from > 1 ? ` data-ln-start-from="${from}"` : '';
  return `<div class="code-block"><div class="code-label">${escapeHtml(file)}</div>` +
    `<pre><code class="language-${languageOf(file)}" data-slide="${escapeHtml(name)}" ` +
    `data-source="${escapeHtml(file)}" data-lines="${from}-${to}"${start} data-line-numbers="${steps}">${escapeHtml(code)}</code></pre></div>`;
}

function table(rows, ctx) {
  const cells = (row) => row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => inline(c.trim(), ctx));
  const separator = rows.length > 1 && /^\|?[\s:|-]+\|?$/.test(rows[1].trim());
  const head = separator ? `<thead><tr>${cells(rows[0]).map((c) => `<th>${c}</th>`).join('')}</tr></thead>` : '';
  const body = (separator ? rows.slice(2) : rows).map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join('')}</tr>`);
  return `<table>${head}<tbody>${body.join('')}</tbody></table>`;
}

// Block Markdown, line by line: headings, lists (`+ ` items appear one at a
// time), tables, quotes, the directives, and paragraphs.
function blocks(lines, ctx) {
  const out = [];
  let i = 0;
  const startsBlock = (t) => /^(#{1,3}\s|[-+]\s|\d+\.\s|\||>\s?|\{\{)/.test(t);
  // Side by side, a column with code is as wide as its code needs.
  let column = 0;
  const columnTag = () => {
    const weight = ctx.plan?.columns === 'side' ? ctx.plan.weights?.[column] : null;
    return weight ? `<div class="column" style="flex-grow: ${weight.toFixed(2)}">` : '<div class="column">';
  };
  while (i < lines.length) {
    const { text, n } = lines[i];
    const t = text.trim();
    const where = `${ctx.source}:${n}`;
    let m;
    if (t === '') { i++; continue; }
    if ((m = t.match(/^(#{1,3})\s+(.*)$/))) {
      const level = m[1].length;
      out.push(`<h${level}>${inline(m[2], ctx)}</h${level}>`);
      i++;
    } else if ((m = t.match(CODE_DIRECTIVE))) {
      out.push(codeBlock(m[1], m[2], parseOptions(m[3]), where, ctx.errors, ctx.plan?.parts.get(n)));
      i++;
    } else if (t === '{{columns}}') { column = 0; out.push(`<div class="columns ${ctx.plan?.columns ?? 'side'}">${columnTag()}`); i++; }
    else if (t === '{{column}}') { column++; out.push(`</div>${columnTag()}`); i++; }
    else if (t === '{{/columns}}') { out.push('</div></div>'); i++; }
    else if (t === '{{run-table}}') { out.push(runTable(ctx)); i++; }
    else if ((m = t.match(/^\{\{run-timelines((?:\s+[a-z-]+)*)\s*\}\}$/))) {
      out.push(runTimelines(m[1].trim() ? m[1].trim().split(/\s+/) : null, ctx));
      i++;
    } else if (t.startsWith('{{')) {
      ctx.errors.push(`${where}: unknown directive ${t} (see slides/README.md)`);
      i++;
    } else if (/^[-+]\s|^\d+\.\s/.test(t)) {
      const ordered = /^\d+\./.test(t);
      const items = [];
      while (i < lines.length) {
        const u = lines[i].text.trim();
        if ((m = u.match(/^([-+]|\d+\.)\s+(.*)$/))) items.push({ fragment: m[1] === '+', text: m[2] });
        else if (u !== '' && /^\s{2,}/.test(lines[i].text) && items.length) items[items.length - 1].text += ' ' + u;
        else break;
        i++;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((it) => `<li${it.fragment ? ' class="fragment"' : ''}>${inline(it.text, ctx)}</li>`).join('')}</${tag}>`);
    } else if (t.startsWith('|')) {
      const rows = [];
      while (i < lines.length && lines[i].text.trim().startsWith('|')) rows.push(lines[i++].text);
      out.push(table(rows, ctx));
    } else if (t.startsWith('>')) {
      const quoted = [];
      while (i < lines.length && lines[i].text.trim().startsWith('>')) quoted.push(lines[i++].text.trim().replace(/^>\s?/, ''));
      out.push(`<blockquote>${inline(quoted.join(' '), ctx)}</blockquote>`);
    } else {
      const words = [];
      while (i < lines.length && lines[i].text.trim() !== '' && (words.length === 0 || !startsBlock(lines[i].text.trim()))) {
        words.push(lines[i++].text.trim());
      }
      out.push(`<p>${inline(words.join(' '), ctx)}</p>`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------- a real run

// table.jsonl, checked line by line: a figure that is not in the file never
// reaches a slide, and a line that is not what the bench prints stops the build.
function readRun(dir, errors) {
  const run = { rows: [], timelines: new Map() };
  const file = path.join(dir, 'table.jsonl');
  if (!fs.existsSync(file)) {
    errors.push(`slides: --run ${dir} has no table.jsonl (one JSON object a line, as ./workbook bench fetch --json prints)`);
    return run;
  }
  const keys = ['model', 'workers', 'repos', 'wall_ms', 'max_in_flight', 'peak_rss_kb', 'cpu_ms'];
  fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let row;
    try { row = JSON.parse(line); } catch { row = null; }
    const missing = row && typeof row === 'object' ? keys.filter((k) => !(k in row)) : keys;
    if (missing.length) errors.push(`slides: ${file}:${index + 1} is not a bench row (missing ${missing.join(', ')})`);
    else run.rows.push(row);
  });
  for (const name of fs.readdirSync(dir)) {
    const m = name.match(/^timeline-([A-Za-z0-9_-]+)\.svg$/);
    if (m) run.timelines.set(m[1], path.join(dir, name));
  }
  return run;
}

function runTable(ctx) {
  const text = TEXT[ctx.lang];
  if (!ctx.run) {
    return `<div class="no-run"><p>${inline(text.noRun, ctx)}</p><p>${inline(text.howTable, ctx)}</p></div>`;
  }
  const head = text.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = ctx.run.rows.map((r) => '<tr>' + [
    escapeHtml(String(r.model)), r.workers, Math.round(r.wall_ms), r.max_in_flight,
    (r.peak_rss_kb / 1024).toFixed(1), Math.round(r.cpu_ms),
  ].map((c, i) => `<td${i ? ' class="number"' : ''}>${c}</td>`).join('') + '</tr>').join('');
  const repos = [...new Set(ctx.run.rows.map((r) => r.repos))].join('/');
  const what = ctx.lang === 'pt' ? `${repos} repositórios` : `${repos} repositories`;
  return `<table class="run-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>` +
    `<p class="caption">${escapeHtml(text.caption(what))}</p>`;
}

// The timelines of the models named (or of every model in the run), copied
// into the deck's images/run/ by main().
function runTimelines(models, ctx) {
  const text = TEXT[ctx.lang];
  if (!ctx.run) return `<div class="no-run"><p>${inline(text.noRun, ctx)}</p><p>${inline(text.howTimelines, ctx)}</p></div>`;
  const order = [...MODELS, ...[...ctx.run.timelines.keys()].filter((m) => !MODELS.includes(m)).sort()];
  const wanted = models ?? order.filter((m) => ctx.run.timelines.has(m));
  const figures = wanted.map((model) => {
    if (!ctx.run.timelines.has(model)) return `<figure class="missing"><figcaption>${escapeHtml(text.noTimeline(model))}</figcaption></figure>`;
    ctx.timelinesUsed.add(model);
    const src = `images/run/timeline-${model}.svg`;
    return `<figure><a href="${src}" target="_blank"><img src="${src}" alt="timeline: ${escapeHtml(model)}"></a></figure>`;
  });
  return `<div class="timelines n${wanted.length}">${figures.join('')}</div>`;
}

// ---------------------------------------------------------------- layout

// A slide's body as lib/layout.mjs reads it: its title, runs of text, code
// blocks (with the size of their code), and a columns group.
function itemsOf(lines) {
  const items = [];
  let target = items;
  let group = null;
  const text = (line) => {
    const last = target[target.length - 1];
    if (last && last.kind === 'text') last.lines.push(line);
    else target.push({ kind: 'text', lines: [line] });
  };
  for (const line of lines) {
    const t = line.text.trim();
    let m;
    if (t === '{{columns}}' && !group) {
      group = { kind: 'columns', open: line, separators: [], close: null, columns: [[]] };
      items.push(group);
      target = group.columns[0];
    } else if (t === '{{column}}' && group) {
      group.separators.push(line);
      target = [];
      group.columns.push(target);
    } else if (t === '{{/columns}}' && group) {
      group.close = line;
      group = null;
      target = items;
    } else if ((m = t.match(CODE_DIRECTIVE))) {
      const options = parseOptions(m[3]);
      let code = '';
      try { code = readMarker(ROOT, m[1], m[2]); } catch (error) { if (!(error instanceof MarkerError)) throw error; }
      const rows = code.split('\n');
      target.push({ kind: 'code', line, block: {
        file: m[1], name: m[2], steps: options.steps ?? '', from: 1, lines: rows.length,
        chars: Math.max(...rows.map((r) => r.length)),
        blank: rows.flatMap((r, k) => (r === '' ? [k + 1] : [])),
      } });
    } else if (/^##\s/.test(t) && target === items && !items.some((i) => i.kind === 'title')) {
      items.push({ kind: 'title', lines: [line] });
    } else {
      text(line);
    }
  }
  return items;
}

// Back to the deck's source lines, which blocks() renders; a title gets
// "(2/3)" when the slide is one of several made of one.
function linesOf(items, suffix) {
  return items.flatMap((item) => {
    if (item.kind === 'title') return suffix ? [{ ...item.lines[0], text: `${item.lines[0].text.trim()} ${suffix}` }] : item.lines;
    if (item.kind === 'text') return item.lines;
    if (item.kind === 'code') return [item.line];
    const out = [item.open];
    item.columns.forEach((column, k) => {
      if (k) out.push(item.separators[k - 1]);
      out.push(...linesOf(column));
    });
    if (item.close) out.push(item.close);
    return out;
  });
}

// ---------------------------------------------------------------- the folder

function render(deck, ctx) {
  const sections = deck.stacks.map((stack) => {
    const attrs = stack.kind === 'chapter'
      ? `id="chapter${stack.id}" data-chapter="${stack.id}"`
      : `id="${escapeHtml(stack.id)}" data-section="${escapeHtml(stack.id)}"`;
    // A slide of the source may become several (lib/layout.mjs): each
    // keeps the slide's notes.
    const slides = stack.slides.flatMap((slide) => {
      const plan = planSlide(itemsOf(slide.lines));
      if (plan.error) {
        ctx.errors.push(`${ctx.source}:${slide.n}: ${plan.error}`);
        return [];
      }
      const notes = slide.notes ? `\n<aside class="notes">\n${blocks(slide.notes, { ...ctx, plan: null })}\n</aside>` : '';
      return plan.slides.map((one, k) => {
        const several = plan.slides.length > 1;
        const columns = one.items.find((i) => i.kind === 'columns');
        ctx.plan = { parts: one.parts, columns: one.columns, weights: columns?.columns.map((c) => c.weight) };
        const body = blocks(linesOf(one.items, several ? `(${k + 1}/${plan.slides.length})` : ''), ctx);
        ctx.plan = null;
        const classList = [...slide.classes, ...(one.font ? ['code-slide'] : [])];
        const classes = classList.length ? ` class="${classList.map(escapeHtml).join(' ')}"` : '';
        const style = one.font ? ` style="--code-font: ${one.font}px"` : '';
        const part = several ? ` data-part="${k + 1}/${plan.slides.length}"` : '';
        return `<section${classes}${style} data-deck-line="${slide.n}"${part}>\n${body}${notes}\n</section>`;
      });
    });
    return `<section ${attrs}>\n${slides.join('\n')}\n</section>`;
  });
  return `<!doctype html>
<html lang="${ctx.lang === 'pt' ? 'pt-BR' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="slides-lang" content="${ctx.lang}">
<meta name="slides-source" content="${escapeHtml(ctx.source)}">
<title>${escapeHtml(deck.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dist/reset.css">
<link rel="stylesheet" href="dist/reveal.css">
<link rel="stylesheet" href="dist/theme/white.css">
<link rel="stylesheet" href="plugin/highlight/monokai.css">
<link rel="stylesheet" href="theme.css">
</head>
<body>
<div class="reveal"><div class="slides">
${sections.join('\n')}
</div></div>
<script src="dist/reveal.js"></script>
<script src="plugin/highlight/highlight.js"></script>
<script src="plugin/notes/notes.js"></script>
<script>
  // Plain scripts, not modules: a browser loads modules from file:// URLs
  // only with CORS, which a file has none of.
  Reveal.initialize({
    hash: true, width: 1280, height: 720, margin: 0.03, center: false,
    slideNumber: 'c/t', transition: 'slide',
    // The arrows in the speaker view only: on the room's screen they would
    // be drawn over the code.
    controls: 'speaker-only',
    plugins: [RevealHighlight, RevealNotes],
  });
</script>
</body>
</html>
`;
}

// What reveal.js contributes to the folder, with its licence beside it.
const COPIED = [
  'dist/reset.css', 'dist/reveal.css', 'dist/reveal.js', 'dist/theme/white.css',
  'dist/theme/fonts/source-sans-pro', 'plugin/highlight/highlight.js',
  'plugin/highlight/monokai.css', 'plugin/notes/notes.js',
];

function prepareOut(out) {
  if (fs.existsSync(out)) {
    const entries = fs.readdirSync(out);
    if (entries.length && !entries.includes(STAMP)) {
      fail(`slides: ${out} already holds files that this build did not make; give an empty or new folder to --out`);
    }
    fs.rmSync(out, { recursive: true, force: true });
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, STAMP), 'This folder is made by slides/build.mjs, which empties it on every build.\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(REVEAL, 'dist', 'reveal.js'))) {
    fail('slides: reveal.js is not installed: run `npm ci --prefix slides` first');
  }
  const source = `slides/deck.${args.lang}.md`;
  const text = fs.readFileSync(path.join(ROOT, source), 'utf8');
  const errors = [];
  const deck = parseDeck(text, source, errors);

  // The Portuguese deck shows the same code as the English one, in the same order.
  if (args.lang !== 'en') {
    const sig = (d) => `${d.file} ${d.name} ${d.options.steps ?? ''}`;
    const ours = codeDirectives(text).map(sig);
    const main = codeDirectives(fs.readFileSync(path.join(ROOT, 'slides/deck.en.md'), 'utf8')).map(sig);
    const first = ours.findIndex((s, i) => s !== main[i]);
    if (ours.length !== main.length || first >= 0) {
      const at = first >= 0 ? first : Math.min(ours.length, main.length);
      errors.push(`${source}: its code differs from slides/deck.en.md's at code block ${at + 1}: ` +
        `${ours[at] ?? '(none)'} here, ${main[at] ?? '(none)'} there; both decks show the same code in the same order`);
    }
  }

  const images = new Set();
  const ctx = {
    lang: args.lang, source, errors, run: args.run ? readRun(path.resolve(args.run), errors) : null,
    timelinesUsed: new Set(),
    image(src) {
      if (!fs.existsSync(path.join(SLIDES, 'images', src))) errors.push(`${source}: no image slides/images/${src}`);
      images.add(src);
      return `images/${src}`;
    },
  };
  const html = render(deck, ctx);
  if (errors.length) {
    for (const e of new Set(errors)) console.error(e);
    fail(`slides: the ${args.lang} deck was not built (${errors.length} problem${errors.length > 1 ? 's' : ''} above)`);
  }

  const out = path.resolve(args.out);
  prepareOut(out);
  for (const rel of COPIED) fs.cpSync(path.join(REVEAL, rel), path.join(out, rel), { recursive: true });
  fs.copyFileSync(path.join(REVEAL, 'LICENSE'), path.join(out, 'dist', 'LICENSE.reveal.js.txt'));
  fs.copyFileSync(path.join(SLIDES, 'theme.css'), path.join(out, 'theme.css'));
  for (const src of images) {
    fs.mkdirSync(path.dirname(path.join(out, 'images', src)), { recursive: true });
    fs.copyFileSync(path.join(SLIDES, 'images', src), path.join(out, 'images', src));
  }
  if (ctx.timelinesUsed.size) {
    fs.mkdirSync(path.join(out, 'images', 'run'), { recursive: true });
    for (const model of ctx.timelinesUsed) {
      fs.copyFileSync(ctx.run.timelines.get(model), path.join(out, 'images', 'run', `timeline-${model}.svg`));
    }
  }
  fs.writeFileSync(path.join(out, 'index.html'), html);
  console.log(TEXT[args.lang].opens(path.join(out, 'index.html'), out));
}

main();
