"""Turn a spec.txt (CommonMark or GitHub's GFM) into the JSON examples the suite runs.

    python tests/rendering/spec/extract.py commonmark-spec/spec.txt > commonmark.json
    python tests/rendering/spec/extract.py --extensions cmark-gfm/test/spec.txt > gfm.json

Fetched once and kept here, so the suite never needs the network. With --extensions only the
examples marked with a GFM extension are kept (table, strikethrough, autolink, tagfilter, and
the task lists cmark-gfm marks "disabled" because its own test runner has no tasklist flag).
"""

import json
import re
import sys

FENCE = "`" * 32
EXAMPLE = re.compile(rf"^{FENCE} example(?: (\w+))?\n(.*?)^\.\n(.*?)^{FENCE}$", re.M | re.S)
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)


def examples(text):
    # A "# heading" inside an example is Markdown under test, not a section of the spec.
    outside = EXAMPLE.sub(lambda m: " " * len(m.group(0)), text)
    headings = [(m.start(), m.group(1).strip()) for m in HEADING.finditer(outside)]
    for number, match in enumerate(EXAMPLE.finditer(text), start=1):
        section = ""
        for start, title in headings:
            if start > match.start():
                break
            section = title
        # The specs write a tab as "→" so it survives editors.
        yield {
            "example": number,
            "section": section,
            "extension": {"disabled": "tasklist"}.get(match.group(1), match.group(1) or ""),
            "markdown": match.group(2).replace("→", "\t"),
            "html": match.group(3).replace("→", "\t"),
        }


def main():
    extensions_only = "--extensions" in sys.argv
    path = next(arg for arg in sys.argv[1:] if not arg.startswith("--"))
    with open(path, encoding="utf-8") as file:
        found = [e for e in examples(file.read()) if e["extension"] or not extensions_only]
    json.dump(found, sys.stdout, ensure_ascii=False, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
