#!/usr/bin/env python3
"""Runs the tests written as text: .ynet specs whose comments say what the compiler must print.

    run_text_tests.py YNET PATH... [--expect-failures]

Each PATH is a .ynet file or a directory searched (not recursively) for .ynet files. A file is one
of two kinds, told apart by its directives:

Plan tests (MLIR FileCheck style). `# RUN: compile --mode infer --emit text --batch 4` runs
`YNET compile FILE --mode infer --emit text --batch 4` (the file goes after the subcommand, or where
`%s` stands), which must exit with 0. Its output is matched in order by the file's directives:

    # CHECK: text          the next match, anywhere after the previous one
    # CHECK-NEXT: text     on the line right after the previous match
    # CHECK-SAME: text     on the same line as the previous match, after it
    # CHECK-NOT: text      absent between the previous match and the next one (or the end)

Text matches literally except that any run of spaces matches any run of spaces and tabs (the
plan's columns are padded), and `{{regex}}` matches a Python regular expression. A file may hold
several runs, each with its own prefix: `# RUN(INFER): compile --mode infer` is checked by the
`# INFER:`, `# INFER-NEXT:`, ... lines; `RUN` alone uses `CHECK`.

Diagnostics tests (clang -verify style). The runner runs `YNET check FILE` (or the subcommand and
arguments of a `# RUN:` line, e.g. `# RUN: check --set p=1.5`) and reads the diagnostics it prints
as `file:line:col: error|warning: message` (each optionally followed by `hint: ...`). Comments
state them:

    h = LTSM(video)   # expected-error {{unknown layer `LTSM`}}      on this line
    h = LTSM(video)   # expected-error@:7 {{unknown layer `LTSM`}}   on this line, at column 7
    # expected-error@+1 {{...}}          on the next line (@-1: the previous, @7: line 7;
                                         @LINE+1 is @+1); `@+1:3` adds a column
    # expected-error {{...}} hint {{did you mean `LSTM`?}}   its `hint:` line contains this too
    # expected-no-diagnostics            a file that must check cleanly

The text in {{...}} is a substring of the message. Every expected diagnostic must be reported on
its line with its text, nothing else may be reported (a diagnostic in another file or without a
location is unexpected too), and the exit status must be 1 if errors are expected and 0 if not.
A misspelt directive is an error, never ignored: every `expected-...` word must parse, and in a
plan test every `# WORD:` line must belong to a RUN prefix.

With --expect-failures every file must FAIL (the runner's own self-test): each such file names the
failure it must cause with `# SELFTEST-FAILS-WITH: text`, so that a file failing for another reason
(a crash, a typo in the test) does not count as the runner working.

The exit status is 0 when every file passed (or, with --expect-failures, failed as stated).
"""

import os
import re
import subprocess
import sys

COMMAND_TIMEOUT_S = 60
MAX_OUTPUT_LINES_SHOWN = 120

COMMENT = r"^\s*(?:#|//)\s*"
RUN_RE = re.compile(COMMENT + r"RUN(?:\((?P<prefix>[A-Za-z][A-Za-z0-9_]*)\))?:\s*(?P<args>.*?)\s*$")
EXPECTED_RE = re.compile(
    r"expected-(?P<severity>error|warning)"
    r"(?:@(?P<line>LINE(?:[+-]\d+)?|[+-]?\d+)?(?::(?P<col>\d+))?)?"
    r"\s*\{\{(?P<text>.*?)\}\}"
    r"(?:\s*hint\s*\{\{(?P<hint>.*?)\}\})?")
# Any `expected-...` word: each must parse as a directive, so a misspelt one is an error, not ignored.
EXPECTED_WORD_RE = re.compile(r"expected-[A-Za-z-]*")
# Any `# WORD:` line in a plan test must be a RUN line, a directive of one of its prefixes or a
# self-test line, so that a misspelt directive (`CHECK-NXT:`, a prefix with no RUN) is an error.
DIRECTIVE_LIKE_RE = re.compile(COMMENT + r"(?P<word>[A-Z][A-Z0-9_-]*(?:\([^)]*\))?):")
SELFTEST_RE = re.compile(COMMENT + r"SELFTEST-FAILS-WITH:\s*(?P<text>.*?)\s*$")
# A located diagnostic as `ynet check` prints it; the source excerpt under it starts with a space.
DIAGNOSTIC_RE = re.compile(r"^(?P<file>[^\s].*?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.*)$")
HINT_RE = re.compile(r"^hint: (?P<hint>.*)$")
# A diagnostic without a location (`ynet: error: ...`): always unexpected.
UNLOCATED_RE = re.compile(r"^\S[^:]*: (?:error|warning): ")


class TestFailure(Exception):
    pass


def show_output(output):
    lines = output.splitlines()
    shown = lines[:MAX_OUTPUT_LINES_SHOWN]
    text = "\n".join(f"  {n:4} | {line}" for n, line in enumerate(shown, 1))
    if len(lines) > len(shown):
        text += f"\n  ... ({len(lines) - len(shown)} more lines)"
    return "actual output:\n" + (text if text else "  (empty)")


def run_ynet(ynet, path, args):
    """Runs YNET with the RUN line's arguments; `%s` stands for the file, else it follows the subcommand."""
    words = args.split()
    if not words:
        raise TestFailure("empty RUN line")
    if "%s" in words:
        argv = [path if w == "%s" else w for w in words]
    else:
        argv = [words[0], path] + words[1:]
    try:
        proc = subprocess.run([ynet] + argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=COMMAND_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise TestFailure(f"`ynet {' '.join(argv)}` ran longer than {COMMAND_TIMEOUT_S} s")
    return " ".join(["ynet"] + argv), proc.returncode, proc.stdout.decode("utf-8", errors="replace")


# ---- plan tests -------------------------------------------------------------------------------

def pattern_to_regex(pattern):
    """Literal text with `{{regex}}` parts; any run of blanks matches any run of blanks."""
    parts = []
    rest = pattern
    while rest:
        start = rest.find("{{")
        if start < 0:
            literal, rest = rest, ""
        else:
            literal = rest[:start]
            end = rest.find("}}", start + 2)
            if end < 0:
                raise TestFailure(f"unclosed `{{{{` in pattern `{pattern}`")
        parts.extend(r"[ \t]+" if chunk.isspace() else re.escape(chunk)
                     for chunk in re.split(r"([ \t]+)", literal) if chunk)
        if start >= 0:
            parts.append("(?:" + rest[start + 2:end] + ")")
            rest = rest[end + 2:]
    try:
        return re.compile("".join(parts))
    except re.error as e:
        raise TestFailure(f"bad regex in pattern `{pattern}`: {e}")


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def line_bounds(text, pos):
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end < 0 else end)


def check_output(output, checks, where):
    """Matches `checks` [(source line, kind, pattern)] in order against `output` (FileCheck rules)."""
    cursor = 0            # the end of the previous positive match
    previous_line_end = None  # the end of the line that match was on
    pending_nots = []     # CHECK-NOT lines waiting for the next positive match to bound them
    matched = 0

    def fail(source_line, kind, pattern, message):
        raise TestFailure(f"{where}:{source_line}: {kind}: {pattern}\n  {message}")

    def check_nots(end):
        for source_line, kind, pattern in pending_nots:
            found = pattern_to_regex(pattern).search(output, cursor, end)
            if found:
                fail(source_line, kind, pattern,
                     f"found at output line {line_of(output, found.start())}, where it must not be: "
                     f"`{output[slice(*line_bounds(output, found.start()))].strip()}`")
        pending_nots.clear()

    for source_line, kind, pattern in checks:
        if kind.endswith("-NOT"):
            pending_nots.append((source_line, kind, pattern))
            continue
        regex = pattern_to_regex(pattern)
        if kind.endswith("-NEXT") or kind.endswith("-SAME"):
            if previous_line_end is None:
                fail(source_line, kind, pattern, f"{kind} needs a match before it")
            if kind.endswith("-SAME"):
                start, end = cursor, previous_line_end
            else:
                if previous_line_end >= len(output):
                    fail(source_line, kind, pattern, "no line after the previous match")
                start, end = line_bounds(output, previous_line_end + 1)
            found = regex.search(output, start, end)
            if not found:
                fail(source_line, kind, pattern,
                     f"not on output line {line_of(output, start)}: `{output[start:end].strip()}`")
        else:
            found = regex.search(output, cursor)
            if not found:
                fail(source_line, kind, pattern,
                     f"not found after output line {line_of(output, cursor)} (the previous match)")
        check_nots(found.start())
        cursor = found.end()
        previous_line_end = line_bounds(output, found.end() if found.end() > found.start() else found.start())[1]
        matched += 1
    check_nots(len(output))
    return matched


def run_plan_test(ynet, path, lines):
    runs = []  # (source line, prefix, args)
    for n, line in enumerate(lines, 1):
        m = RUN_RE.match(line)
        if m:
            runs.append((n, m.group("prefix") or "CHECK", m.group("args")))
    prefixes = [prefix for _, prefix, _ in runs]
    if len(set(prefixes)) != len(prefixes):
        raise TestFailure(f"{path}: two RUN lines share a check prefix; give each `RUN(NAME):`")
    known = {"SELFTEST-FAILS-WITH"} | {p + suffix for p in prefixes for suffix in ("", "-NEXT", "-NOT", "-SAME")}
    for n, line in enumerate(lines, 1):
        m = DIRECTIVE_LIKE_RE.match(line)
        if m and not RUN_RE.match(line) and m.group("word") not in known:
            raise TestFailure(f"{path}:{n}: unknown directive `{m.group('word')}:` (the RUN prefixes here are "
                              f"{', '.join(prefixes)}; directives are PREFIX:, PREFIX-NEXT:, PREFIX-NOT:, PREFIX-SAME:)")
    total = 0
    for run_line, prefix, args in runs:
        directive = re.compile(COMMENT + re.escape(prefix) + r"(?P<kind>-NEXT|-NOT|-SAME)?:\s*(?P<pattern>.*?)\s*$")
        checks = []
        for n, line in enumerate(lines, 1):
            m = directive.match(line)
            if m:
                if not m.group("pattern"):
                    raise TestFailure(f"{path}:{n}: empty {prefix}{m.group('kind') or ''} pattern")
                checks.append((n, prefix + (m.group("kind") or ""), m.group("pattern")))
        if not any(not kind.endswith("-NOT") for _, kind, _ in checks):
            raise TestFailure(f"{path}:{run_line}: RUN line without a positive `# {prefix}:` line")
        command, status, output = run_ynet(ynet, path, args)
        if status != 0:
            raise TestFailure(f"{path}:{run_line}: `{command}` exited with {status}\n{show_output(output)}")
        try:
            total += check_output(output, checks, path)
        except TestFailure as e:
            raise TestFailure(f"{e}\n  command: {command}\n{show_output(output)}")
    return f"{len(runs)} run(s), {total} checks"


# ---- diagnostics tests ------------------------------------------------------------------------

def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normpath(a) == os.path.normpath(b)


def parse_expectations(path, lines):
    expected = []  # dicts: source, severity, line, col, text, hint
    no_diagnostics = False
    for n, line in enumerate(lines, 1):
        found = []
        for word in EXPECTED_WORD_RE.finditer(line):
            if word.group() == "expected-no-diagnostics":
                no_diagnostics = True
                continue
            m = EXPECTED_RE.match(line, word.start())
            if not m:
                raise TestFailure(f"{path}:{n}: malformed directive `{word.group()}` (write "
                                  f"`expected-error|expected-warning[@LOC] {{{{text}}}} [hint {{{{text}}}}]`): {line.strip()}")
            found.append(m)
        for m in found:
            loc = m.group("line")
            if loc is None or loc == "LINE":
                target = n
            elif loc.startswith("LINE"):
                target = n + int(loc[4:])
            elif loc[0] in "+-":
                target = n + int(loc)
            else:
                target = int(loc)
            if not m.group("text"):
                raise TestFailure(f"{path}:{n}: empty expected text")
            expected.append({"source": n, "severity": m.group("severity"), "line": target,
                             "col": int(m.group("col")) if m.group("col") else None,
                             "text": m.group("text"), "hint": m.group("hint")})
    if no_diagnostics and expected:
        raise TestFailure(f"{path}: `expected-no-diagnostics` together with expected diagnostics")
    return expected, no_diagnostics


def parse_diagnostics(path, output):
    """The diagnostics in `output`; those in other files or without a location count against the test."""
    actual, stray = [], []
    for line in output.splitlines():
        m = DIAGNOSTIC_RE.match(line)
        if m:
            actual.append({"file": m.group("file"), "line": int(m.group("line")), "col": int(m.group("col")),
                           "severity": m.group("severity"), "message": m.group("message"), "hint": None})
            continue
        h = HINT_RE.match(line)
        if h and actual and actual[-1]["hint"] is None:
            actual[-1]["hint"] = h.group("hint")
        elif UNLOCATED_RE.match(line):
            stray.append(line)
    in_file = [d for d in actual if same_file(d["file"], path)]
    stray += [f"{d['file']}:{d['line']}:{d['col']}: {d['severity']}: {d['message']}"
              for d in actual if not same_file(d["file"], path)]
    return in_file, stray


def describe(d):
    col = f":{d['col']}" if d.get("col") else ""
    hint = f" (hint: {d['hint']})" if d.get("hint") else ""
    text = d.get("message", d.get("text"))
    return f"line {d['line']}{col}: {d['severity']}: {text}{hint}"


def run_diagnostics_test(ynet, path, lines):
    expected, no_diagnostics = parse_expectations(path, lines)
    if not expected and not no_diagnostics:
        raise TestFailure(f"{path}: no expectations; write `# expected-no-diagnostics` for a clean file")
    runs = [m.group("args") for m in map(RUN_RE.match, lines) if m]
    if len(runs) > 1:
        raise TestFailure(f"{path}: a diagnostics test has at most one RUN line")
    command, status, output = run_ynet(ynet, path, runs[0] if runs else "check")
    actual, stray = parse_diagnostics(path, output)

    problems = []
    unmatched = list(actual)
    for e in expected:
        match = next((d for d in unmatched
                      if d["severity"] == e["severity"] and d["line"] == e["line"]
                      and (e["col"] is None or d["col"] == e["col"]) and e["text"] in d["message"]
                      and (e["hint"] is None or (d["hint"] is not None and e["hint"] in d["hint"]))), None)
        if match:
            unmatched.remove(match)
            continue
        near = [d for d in actual if d["line"] == e["line"]]
        got = "; ".join(describe(d) for d in near) if near else "nothing on that line"
        problems.append(f"{path}:{e['source']}: expected {describe(e)}\n    got: {got}")
    for d in unmatched:
        problems.append(f"{path}:{d['line']}: unexpected {describe(d)}")
    for line in stray:
        problems.append(f"{path}: unexpected diagnostic outside the file: {line}")
    errors_expected = any(e["severity"] == "error" for e in expected)
    wanted_status = 1 if errors_expected else 0
    if status != wanted_status:
        problems.append(f"{path}: exit status {status}, expected {wanted_status} "
                        f"({'errors are' if errors_expected else 'no error is'} expected)")
    if problems:
        raise TestFailure("\n".join(problems) + f"\n  command: {command}\n{show_output(output)}")
    return f"{len(expected)} diagnostics"


# ---- driver -----------------------------------------------------------------------------------

def is_diagnostics_test(lines):
    return any(EXPECTED_WORD_RE.search(line) for line in lines)


def run_file(ynet, path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    if is_diagnostics_test(lines):
        return run_diagnostics_test(ynet, path, lines)
    if any(RUN_RE.match(line) for line in lines):
        return run_plan_test(ynet, path, lines)
    raise TestFailure(f"{path}: neither a `# RUN:` line nor `expected-...` directives; nothing to test")


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(os.path.join(p, name) for name in os.listdir(p) if name.endswith(".ynet"))
            if not found:
                raise TestFailure(f"{p}: no .ynet test files")
            files += found
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise TestFailure(f"{p}: no such file or directory")
    return files


def main(argv):
    expect_failures = "--expect-failures" in argv
    args = [a for a in argv if a != "--expect-failures"]
    if len(args) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    ynet, paths = args[0], args[1:]
    if not os.access(ynet, os.X_OK):
        print(f"error: `{ynet}` is not an executable", file=sys.stderr)
        return 2
    try:
        files = collect(paths)
    except TestFailure as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    failed = 0
    for path in files:
        try:
            summary = run_file(ynet, path)
            outcome, detail = "PASS", summary
        except TestFailure as e:
            outcome, detail = "FAIL", str(e)
        if expect_failures:
            outcome, detail = selftest_verdict(path, outcome, detail)
        if outcome == "PASS":
            print(f"PASS {path} ({detail})")
        else:
            failed += 1
            print(f"FAIL {path}\n{detail}\n")
    print(f"{len(files) - failed} of {len(files)} passed" if failed else f"all {len(files)} passed")
    return 1 if failed else 0


def selftest_verdict(path, outcome, detail):
    """With --expect-failures a file passes when the runner rejected it for the reason it states."""
    with open(path, encoding="utf-8", errors="replace") as f:
        reasons = [m.group("text") for m in map(SELFTEST_RE.match, f.read().splitlines()) if m]
    if not reasons:
        return "FAIL", f"{path}: a self-test file needs `# SELFTEST-FAILS-WITH: text`"
    if outcome == "PASS":
        return "FAIL", f"{path}: the runner accepted a file whose expectations are wrong ({detail})"
    missing = [r for r in reasons if r not in detail]
    if missing:
        return "FAIL", (f"{path}: the runner rejected the file, but not with "
                        + ", ".join(f"`{r}`" for r in missing) + f"; it said:\n{detail}")
    return "PASS", "rejected as intended"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
