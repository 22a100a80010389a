#!/usr/bin/env python3
"""The layering rules of the source tree, checked from its #include lines.

  1. A wing of the library (shared/<wing>/) includes only its own headers and
     those of the wings it USES in shared/CMakeLists.txt, directly or through
     another: never a wing above it. The wings' USES form no cycle.
  2. The library includes no chapter and nothing of tests/.
  3. A chapter (chapters/NN_topic/, solutions/NN_topic/) includes no other
     chapter.

Usage: check_layers.py ROOT      (exit 1 and one line per violation)
       check_layers.py --self-test
"""

import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
WING_CALL = re.compile(r"workbook_wing\((\w+)(.*?)\)", re.S)
KEYWORDS = {"FILES", "SANS_IO", "USES", "PUBLIC", "PRIVATE"}
SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc")


def wings_and_uses(root):
    """{wing: set of the wings it USES directly}, from shared/CMakeLists.txt."""
    text = open(os.path.join(root, "shared", "CMakeLists.txt"), encoding="utf-8").read()
    text = re.sub(r"#.*", "", text)
    uses = {}
    for name, args in WING_CALL.findall(text):
        words = args.split()
        direct, current = set(), None
        for word in words:
            if word in KEYWORDS:
                current = word
            elif current == "USES":
                direct.add(word)
        uses[name] = direct
    return uses


def below(uses, problems):
    """{wing: every wing it may include, itself too}; reports cycles."""
    closure = {}

    def visit(wing, path):
        if wing in path:
            problems.append("shared/CMakeLists.txt: the wings use each other in a circle: "
                            + " -> ".join(path[path.index(wing):] + [wing]))
            return set()
        if wing in closure:
            return closure[wing]
        if wing not in uses:
            problems.append(f"shared/CMakeLists.txt: a wing uses '{wing}', which is no wing")
            return set()
        reach = {wing}
        for used in sorted(uses[wing]):
            reach |= visit(used, path + [wing])
        closure[wing] = reach
        return reach

    for wing in sorted(uses):
        visit(wing, [])
    return closure


def sources(folder):
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.join(base, name)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for match in INCLUDE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield line, match.group(1)


def check(root):
    problems = []
    uses = wings_and_uses(root)
    if not uses:
        return ["shared/CMakeLists.txt: no workbook_wing() found"]
    allowed = below(uses, problems)

    # Which wing each public header belongs to.
    owner = {}
    for wing in uses:
        public = os.path.join(root, "shared", wing, "include")
        for path in sources(public):
            owner[os.path.relpath(path, public)] = wing

    for wing in sorted(uses):
        for path in sources(os.path.join(root, "shared", wing)):
            rel = os.path.relpath(path, root)
            for line, name in includes(path):
                where = f"{rel}:{line}"
                if os.path.exists(os.path.join(os.path.dirname(path), name)):
                    continue  # a private header beside it
                if name.startswith("workbook/"):
                    other = owner.get(name)
                    if other is None:
                        problems.append(f"{where}: includes {name}, which no wing has")
                    elif other not in allowed.get(wing, {wing}):
                        problems.append(
                            f"{where}: the {wing} wing includes {name} of the {other} wing, "
                            f"which it does not use (shared/CMakeLists.txt: {wing} USES "
                            f"{' '.join(sorted(uses[wing])) or 'nothing'})")
                else:
                    problems.append(f"{where}: the library includes \"{name}\", which is not "
                                    "a header of the library (a chapter's or a test's?)")

    for top in ("chapters", "solutions"):
        folder = os.path.join(root, top)
        if not os.path.isdir(folder):
            continue
        for chapter in sorted(os.listdir(folder)):
            if not re.match(r"\d\d_", chapter):
                continue
            mine = os.path.join(folder, chapter)
            for path in sources(mine):
                rel = os.path.relpath(path, root)
                for line, name in includes(path):
                    target = os.path.normpath(os.path.join(os.path.dirname(path), name))
                    lands = os.path.relpath(target, root).split(os.sep)
                    other = (len(lands) > 1 and lands[0] in ("chapters", "solutions")
                             and lands[1] != chapter and re.match(r"\d\d_", lands[1]))
                    if other or re.search(r"(^|/)\d\d_[a-z_]+/", name):
                        problems.append(f"{rel}:{line}: chapter {chapter} includes \"{name}\", "
                                        "a file of another chapter")
    return problems


def self_test():
    """A tree with one violation of each rule: each must be reported."""
    def write(root, rel, text):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    with tempfile.TemporaryDirectory() as root:
        write(root, "shared/CMakeLists.txt",
              "workbook_wing(core FILES a)\nworkbook_wing(http FILES b USES core)\n"
              "workbook_wing(stores FILES c USES core)\n")
        write(root, "shared/core/include/workbook/a.hpp", "")
        write(root, "shared/http/include/workbook/b.hpp", '#include "workbook/a.hpp"\n')
        write(root, "shared/stores/include/workbook/c.hpp", "")
        write(root, "shared/core/src/a.cpp", '#include "workbook/b.hpp"\n')        # rule 1
        write(root, "shared/stores/src/c.cpp", '#include "workbook/b.hpp"\n')      # rule 1
        write(root, "shared/http/src/b.cpp", '#include "support/test_stand_in.hpp"\n')  # rule 2
        write(root, "chapters/01_one/main.cpp", '#include "../02_two/given.hpp"\n')  # rule 3
        write(root, "chapters/02_two/given.hpp", "")
        write(root, "solutions/02_two/exercise.cpp", '#include "given.hpp"\n')     # allowed
        found = check(root)
        expected = ["shared/core/src/a.cpp:1", "shared/stores/src/c.cpp:1",
                    "shared/http/src/b.cpp:1", "chapters/01_one/main.cpp:1"]
        missing = [e for e in expected if not any(p.startswith(e) for p in found)]
        extra = [p for p in found if not any(p.startswith(e) for e in expected)]

        write(root, "shared/CMakeLists.txt",
              "workbook_wing(core FILES a USES http)\nworkbook_wing(http FILES b USES core)\n")
        circle = any("circle" in p for p in check(root))
    if missing or extra or not circle:
        print("check_layers.py misses a violation it must report:", file=sys.stderr)
        for e in missing:
            print(f"  not reported: {e}", file=sys.stderr)
        for p in extra:
            print(f"  reported, but allowed: {p}", file=sys.stderr)
        if not circle:
            print("  not reported: wings that use each other in a circle", file=sys.stderr)
        return 1
    print("check_layers.py: each rule's violation is reported")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(argv[1])
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) break the layering (see the README's \"How the code "
              "is laid out\"): use a lower wing, or move the code down.", file=sys.stderr)
        return 1
    print("layering: every wing includes only the wings below it, the library no chapter, "
          "no chapter another")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
