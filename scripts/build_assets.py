#!/usr/bin/env python3
"""Copy the compiled GOV.UK Frontend assets from node_modules into the Python package.

GOV.UK Frontend is pinned in package.json. We ship its compiled CSS and JavaScript inside
``courseline/web/static/govuk/`` so that a built wheel (and a pip-installed Courseline)
needs no Node. Two changes are made on the way, because Courseline is not a GOV.UK service:
the GDS Transport font (licensed for GOV.UK only) is replaced by the system font stack and
its @font-face rules are dropped; source-map comments are removed (maps are not shipped).

Run: python scripts/build_assets.py   (after `npm ci`; `make install` does both)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = ROOT / "src" / "courseline" / "web" / "static" / "govuk"
SYSTEM_FONTS = (
    'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",'
    '"Liberation Sans",sans-serif'
)
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*")


def convert_css(css: str) -> str:
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace("font-family:GDS Transport,arial,sans-serif", f"font-family:{SYSTEM_FONTS}")
    css = css.replace("font-family:GDS Transport", f"font-family:{SYSTEM_FONTS}")
    css = SOURCE_MAP.sub("", css)
    if "GDS Transport" in css or "/assets/fonts/" in css:
        raise SystemExit("build_assets: the GOV.UK font is still referenced; update convert_css")
    return css


def main() -> int:
    package = json.loads((ROOT / "package.json").read_text())
    pinned = package["dependencies"]["govuk-frontend"]
    installed_meta = SOURCE.parent.parent / "package.json"
    if not installed_meta.exists():
        print("build_assets: node_modules/govuk-frontend is missing; run `npm ci`", file=sys.stderr)
        return 1
    installed = json.loads(installed_meta.read_text())["version"]
    if installed != pinned:
        print(
            f"build_assets: installed {installed}, pinned {pinned}; run `npm ci`", file=sys.stderr
        )
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    css = convert_css((SOURCE / "govuk-frontend.min.css").read_text(encoding="utf-8"))
    (TARGET / "govuk-frontend.min.css").write_text(css, encoding="utf-8")
    js = SOURCE_MAP.sub("", (SOURCE / "all.bundle.js").read_text(encoding="utf-8"))
    (TARGET / "govuk-frontend.bundle.js").write_text(js, encoding="utf-8")
    (TARGET / "NOTICE.txt").write_text(
        f"GOV.UK Frontend {installed}, (c) Crown copyright, released under the MIT licence.\n"
        "https://github.com/alphagov/govuk-frontend\n"
        "Modified for Courseline: GDS Transport font removed (system fonts used instead).\n",
        encoding="utf-8",
    )
    print(f"build_assets: GOV.UK Frontend {installed} copied to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
