#!/usr/bin/env python3
"""chapters/chapters.json against the tree: the one list of chapters and the
folders must agree.

  - every chapters/NN_topic/ has an entry, and every entry its folder, its
    solutions/NN_topic/, its test tests/chapterNN_test.cpp, in number order;
  - the files an entry names (support, subject, broken, parts, the Python
    program) exist;
  - its wings are wings of the library, its services known, its plans one of
    exercise, tour, demo or null;
  - the README's chapter table has the same chapters, in the same order.

Usage: check_chapters.py ROOT     (exit 1 and one line per disagreement)
       check_chapters.py --self-test
"""

import json
import os
import re
import shutil
import sys
import tempfile

SERVICES = {"redis", "memcached", "postgres"}
PLAN_ROLES = {"exercise", "tour", "demo", None}
KINDS = {"exercise", "testing"}


def wings(root):
    text = open(os.path.join(root, "shared", "CMakeLists.txt"), encoding="utf-8").read()
    text = re.sub(r"#.*", "", text)
    return set(re.findall(r"workbook_wing\((\w+)", text))


def check(root):
    problems = []
    where = "chapters/chapters.json"
    try:
        with open(os.path.join(root, where), encoding="utf-8") as f:
            chapters = json.load(f)["chapters"]
    except (OSError, ValueError, KeyError) as e:
        return [f"{where}: cannot be read as the list of chapters: {e}"]
    known_wings = wings(root)

    folders = sorted(d for d in os.listdir(os.path.join(root, "chapters"))
                     if re.match(r"\d\d_", d) and os.path.isdir(os.path.join(root, "chapters", d)))
    listed = []
    for i, e in enumerate(chapters):
        nn, topic = e.get("number", "?"), e.get("topic", "?")
        name = f"{nn}_{topic}"
        listed.append(name)
        at = f"{where}: chapter {nn}"
        if not re.fullmatch(r"\d\d", str(nn)):
            problems.append(f"{at}: number must be two digits")
        if i > 0 and str(nn) <= str(chapters[i - 1].get("number", "")):
            problems.append(f"{at}: out of order (after {chapters[i - 1].get('number')})")
        for key in ("title", "slide"):
            if not e.get(key):
                problems.append(f"{at}: no {key}")
        kind = e.get("kind", "exercise")
        if kind not in KINDS:
            problems.append(f"{at}: kind '{kind}' is none of {sorted(KINDS)}")
        folder = os.path.join(root, "chapters", name)
        if not os.path.isdir(folder):
            problems.append(f"{at}: its folder chapters/{name}/ does not exist")
            continue
        for must in (f"solutions/{name}/exercise.cpp", f"chapters/{name}/exercise.cpp",
                     f"chapters/{name}/main.cpp", f"tests/chapter{nn}_test.cpp"):
            if not os.path.isfile(os.path.join(root, must)):
                problems.append(f"{at}: {must} does not exist")
        files = list(e.get("support", [])) + list(e.get("parts", []))
        if e.get("subject"):
            files.append(e["subject"])
        files += [f"broken/{b}.cpp" for b in e.get("broken", [])]
        python = e.get("python")
        if python:
            files.append(python.get("program", "?"))
        for f in files:
            if not os.path.isfile(os.path.join(folder, f)):
                problems.append(f"{at}: chapters/{name}/{f} does not exist")
        programs = sorted(p for p in os.listdir(folder) if p.endswith(".py"))
        if programs and not python:
            problems.append(f"{at}: chapters/{name}/{programs[0]} is not its python program")
        elif python and programs and programs[0] != python.get("program"):
            problems.append(f"{at}: its python program is {python.get('program')}, but the "
                            f"build runs the first .py of the folder, {programs[0]}")
        uses = e.get("uses", [])
        if not uses:
            problems.append(f"{at}: names no wing it uses")
        for w in uses + e.get("tests_use", []):
            if w not in known_wings:
                problems.append(f"{at}: uses '{w}', which is no wing of the library "
                                f"({', '.join(sorted(known_wings))})")
        for s in e.get("services", []):
            if s not in SERVICES:
                problems.append(f"{at}: service '{s}' is none of {sorted(SERVICES)}")
        if ";" in e.get("demo_expect", ""):
            problems.append(f"{at}: demo_expect holds ';', which CMake splits a list at "
                            "(write '.')")
        for plan, role in e.get("plans", {}).items():
            if role not in PLAN_ROLES:
                problems.append(f"{at}: plan {plan} says '{role}', none of exercise, tour, "
                                "demo, null")

    for name in folders:
        if name not in listed:
            problems.append(f"chapters/{name}/: a chapter folder that {where} does not list")

    readme = os.path.join(root, "README.md")
    if os.path.isfile(readme):
        rows = re.findall(r"^\| (\d\d) \| \[([a-z0-9_]+)\]\(chapters/(\d\d_[a-z0-9_]+)/",
                          open(readme, encoding="utf-8").read(), re.M)
        in_readme = [folder for _, _, folder in rows]
        if in_readme != listed:
            problems.append(f"README.md: the chapter table lists {', '.join(in_readme)}; "
                            f"{where} lists {', '.join(listed)}")
    return problems


def self_test():
    """A tree that agrees passes; each way of disagreeing is reported."""
    def write(root, rel, text=""):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    entry = {"title": "t", "slide": "s", "uses": ["core"]}

    def listing(root, first):
        write(root, "chapters/chapters.json", json.dumps(
            {"chapters": [dict(entry, number="00", topic="one", **first),
                          dict(entry, number="01", topic="two")]}))

    def tree(root):
        write(root, "shared/CMakeLists.txt", "workbook_wing(core FILES a)\n")
        for name in ("00_one", "01_two"):
            for f in ("exercise.cpp", "main.cpp"):
                write(root, f"chapters/{name}/{f}")
            write(root, f"solutions/{name}/exercise.cpp")
            write(root, f"tests/chapter{name[:2]}_test.cpp")
        listing(root, {})

    spoilers = {
        "a folder the list does not list": lambda r: write(r, "chapters/02_three/main.cpp"),
        "an entry without its folder": lambda r: shutil.rmtree(os.path.join(r, "chapters/01_two")),
        "a wing that does not exist": lambda r: listing(r, {"uses": ["nope"]}),
        "a support file that does not exist": lambda r: listing(r, {"support": ["x.cpp"]}),
        "a ';' in demo_expect": lambda r: listing(r, {"demo_expect": "a;b"}),
    }
    failed = []
    with tempfile.TemporaryDirectory() as root:
        tree(root)
        if check(root):
            failed.append("a tree that agrees is refused: " + "; ".join(check(root)))
    for what, spoil in spoilers.items():
        with tempfile.TemporaryDirectory() as root:
            tree(root)
            spoil(root)
            if not check(root):
                failed.append("not reported: " + what)
    if failed:
        print("check_chapters.py:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    print("check_chapters.py: a tree that agrees passes, each disagreement is reported")
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
        print(f"{len(problems)} disagreement(s) between chapters/chapters.json and the tree: "
              "a new chapter is one entry there plus its folder.", file=sys.stderr)
        return 1
    print("chapters/chapters.json and the tree agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
