#!/usr/bin/env python3
"""The reference answer of a chapter's exercise up to one TODO, the stub after
it: what `./workbook solve NN --upto NN.n` writes, so that a room catches up
to the same point without being handed the exercises still ahead.

Usage: solve_upto.py STUB REFERENCE NN.n   (the result on standard output)

How: both files are cut into their top-level definitions (a function, a
TEST_CASE: from the comments above it to the `}` in column 0 that closes it;
clang-format writes every file that way). The result is the reference, in
which each definition whose stub twin holds a TODO after NN.n is put back as
the stub has it. A definition is matched to its twin by its qualified name (a
TEST_CASE by its name). The stub's `#include "workbook/todo.hpp"` comes along when a stub
definition does.
"""
import re
import sys

TODO = re.compile(r"TODO\((\d\d)\.(\d+)\)")


def key_of(signature):
    """What matches a definition to its twin: a TEST_CASE by its name, a
    function by its qualified name (the two files may spell the parameter
    types differently: `tcp::socket`, `asio::ip::tcp::socket`)."""
    if signature.startswith("TEST_CASE"):
        return signature
    name = re.search(r"([\w:~]+)\s*\(", signature)
    return name.group(1) if name else signature


def definitions(text):
    """[(signature, first_line, last_line)] of the top-level definitions."""
    lines = text.split("\n")
    found = []
    start = None  # where the comments above the current definition begin
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("//") and start is None:
            start = i
        elif line == "" or line.startswith("#") or line.startswith("namespace") or \
                line.startswith("}  // namespace") or line.startswith("using"):
            start = None
        elif line and not line[0].isspace() and line != "}":
            # A definition starts here (possibly over several lines) and ends
            # at the next "}" in column 0; a declaration ends with ";".
            j = i
            while j < len(lines) and "{" not in lines[j] and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and "{" in lines[j] and not lines[j].rstrip().endswith("};"):
                end = j
                while end < len(lines) and lines[end] != "}":
                    end += 1
                signature = " ".join(l.strip() for l in lines[i:j + 1]).split("{")[0].strip()
                found.append((key_of(signature), i if start is None else start, end))
                i = end
            start = None
        i += 1
    return lines, found


def todos_in(lines, first, last):
    return {(int(a), int(b)) for a, b in TODO.findall("\n".join(lines[first:last + 1]))}


def main():
    if len(sys.argv) != 4 or not re.fullmatch(r"\d\d\.\d+", sys.argv[3]):
        sys.exit("usage: solve_upto.py STUB REFERENCE NN.n")
    upto = tuple(int(x) for x in sys.argv[3].split("."))
    stub_lines, stub_defs = definitions(open(sys.argv[1]).read())
    ref_lines, ref_defs = definitions(open(sys.argv[2]).read())
    stub_by_signature = {sig: (a, b) for sig, a, b in stub_defs}

    later = set()  # TODOs after `upto` that the result keeps as stubs
    out = []
    at = 0
    for sig, a, b in ref_defs:
        twin = stub_by_signature.get(sig)
        if twin is None:
            continue
        todos = todos_in(stub_lines, *twin)
        if todos and min(todos) > upto:
            out.extend(ref_lines[at:a])
            out.extend(stub_lines[twin[0]:twin[1] + 1])
            at = b + 1
            later |= todos
    out.extend(ref_lines[at:])

    stub_todos = todos_in(stub_lines, 0, len(stub_lines) - 1)
    if upto not in stub_todos:
        names = ", ".join(f"{a:02d}.{b}" for a, b in sorted(stub_todos))
        sys.exit(f"there is no TODO({sys.argv[3]}) in the stub; its TODOs: {names}")
    ref_signatures = {sig for sig, _, _ in ref_defs}
    for sig, a, b in stub_defs:
        todos = todos_in(stub_lines, a, b)
        if todos and min(todos) > upto and sig not in ref_signatures:
            sys.exit(f"solve_upto.py: the reference has no `{sig}` to put the stub's back in place of")
    text = "\n".join(out)
    include = '#include "workbook/todo.hpp"'
    if later and include not in text:
        # After the last #include line of the reference.
        last_include = max(i for i, l in enumerate(out) if l.startswith("#include"))
        out.insert(last_include + 1, include)
        text = "\n".join(out)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
