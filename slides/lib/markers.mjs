// Reads the code that a slide shows out of a chapter's source file.
//
// A source file marks a region for the slides with two comment lines:
//
//     // [slide:NAME]        (C++)      # [slide:NAME]     (Python)
//     ...code...                        ...code...
//     // [/slide]                       # [/slide]
//
// The slide shows the lines strictly between them, dedented. build.mjs uses
// this to put the code into the deck, and test.mjs uses it again, on its own,
// to check that the deck shows what the source says today.

import fs from 'node:fs';
import path from 'node:path';

export class MarkerError extends Error {}

// The comment that starts a line comment in each kind of source file.
const COMMENT = {
  '.cpp': '//', '.hpp': '//', '.cc': '//', '.h': '//',
  '.py': '#',
};

// highlight.js's name for each kind of source file.
const LANGUAGE = {
  '.cpp': 'cpp', '.hpp': 'cpp', '.cc': 'cpp', '.h': 'cpp',
  '.py': 'python',
};

export function languageOf(file) {
  return LANGUAGE[path.extname(file)];
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Every marked region of one file's text: a Map from NAME to its raw lines.
// A region that is opened twice, never closed, or opened inside another is
// an error, named with its line, so that a slip in a chapter is found here
// rather than shown as half a function on a slide.
export function regionsOf(text, file) {
  const comment = COMMENT[path.extname(file)];
  if (!comment) {
    throw new MarkerError(`${file} is not a C++ or Python file: slides show code from .cpp, .hpp, .h, .cc and .py files`);
  }
  const c = escapeRegExp(comment);
  const open = new RegExp(`^\\s*${c}\\s*\\[slide:([A-Za-z0-9_.-]+)\\]\\s*$`);
  const close = new RegExp(`^\\s*${c}\\s*\\[/slide\\]\\s*$`);
  const regions = new Map();
  let current = null; // { name, line, lines }
  text.split(/\r?\n/).forEach((line, index) => {
    const number = index + 1;
    const opening = line.match(open);
    if (opening) {
      if (current) {
        throw new MarkerError(`${file}:${number}: [slide:${opening[1]}] opens inside [slide:${current.name}] (line ${current.line}); close that one first`);
      }
      if (regions.has(opening[1])) {
        throw new MarkerError(`${file}:${number}: a second [slide:${opening[1]}]; each name is marked once per file`);
      }
      current = { name: opening[1], line: number, lines: [] };
    } else if (close.test(line)) {
      if (!current) throw new MarkerError(`${file}:${number}: [/slide] without a [slide:NAME] before it`);
      regions.set(current.name, current.lines);
      current = null;
    } else if (current) {
      current.lines.push(line);
    }
  });
  if (current) {
    throw new MarkerError(`${file}:${current.line}: [slide:${current.name}] is never closed with [/slide]`);
  }
  return regions;
}

// The dedent rule, the one both the build and the test apply: trailing
// whitespace goes from every line, blank lines go from both ends, and the
// indentation that every non-blank line shares goes from each of them.
export function dedent(lines) {
  const trimmed = lines.map((line) => line.replace(/\s+$/, ''));
  while (trimmed.length && trimmed[0] === '') trimmed.shift();
  while (trimmed.length && trimmed[trimmed.length - 1] === '') trimmed.pop();
  const indents = trimmed.filter((line) => line !== '').map((line) => line.match(/^[ \t]*/)[0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return trimmed.map((line) => line.slice(common)).join('\n');
}

// The text that a slide shows for [slide:name] in `file`, a path relative
// to `root` (the repository). Throws MarkerError naming the file and the
// marker when either is missing.
export function readMarker(root, file, name) {
  const full = path.resolve(root, file);
  if (path.isAbsolute(file) || !full.startsWith(path.resolve(root) + path.sep)) {
    throw new MarkerError(`${file}: a slide's source is named by its path inside the repository (like chapters/05_event_loop/main.cpp)`);
  }
  let text;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch {
    throw new MarkerError(`${file} does not exist, so it has no [slide:${name}] ... [/slide]`);
  }
  const regions = regionsOf(text, file);
  if (!regions.has(name)) {
    const known = [...regions.keys()];
    throw new MarkerError(`${file} has no [slide:${name}] ... [/slide]` +
      (known.length ? ` (it marks: ${known.join(', ')})` : ' (it marks no region at all)'));
  }
  const code = dedent(regions.get(name));
  if (code === '') throw new MarkerError(`${file}: [slide:${name}] marks no code`);
  return code;
}

// The directives `{{code FILE NAME ...}}` of a deck source, with their line
// numbers: what the deck promises to show. Both scripts read them with this
// one pattern.
export const CODE_DIRECTIVE = /^\{\{code\s+(\S+)\s+(\S+)((?:\s+[a-z]+="[^"]*")*)\s*\}\}$/;

export function codeDirectives(deckText) {
  const found = [];
  deckText.split(/\r?\n/).forEach((line, index) => {
    const m = line.trim().match(CODE_DIRECTIVE);
    if (m) found.push({ line: index + 1, file: m[1], name: m[2], options: parseOptions(m[3]) });
  });
  return found;
}

export function parseOptions(text) {
  const options = {};
  for (const m of (text || '').matchAll(/([a-z]+)="([^"]*)"/g)) options[m[1]] = m[2];
  return options;
}

// Every marker name in the files under the given folders: for the coverage
// note (a marker that no slide shows yet).
export function allMarkers(root, folders) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__pycache__') walk(rel);
      } else if (COMMENT[path.extname(entry.name)]) {
        const text = fs.readFileSync(path.join(root, rel), 'utf8');
        if (!text.includes('[slide:')) continue;
        try {
          for (const name of regionsOf(text, rel).keys()) found.push({ file: rel, name });
        } catch {
          // A broken file is reported where a slide asks for it.
        }
      }
    }
  };
  for (const folder of folders) {
    if (fs.existsSync(path.join(root, folder))) walk(folder);
  }
  return found;
}
