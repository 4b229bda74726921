"""A built wheel carries everything the app needs at run time, so pip users need no Node."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_contains_govuk_assets_templates_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("courseline-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "courseline/web/static/govuk/govuk-frontend.min.css",
        "courseline/web/static/govuk/govuk-frontend.bundle.js",
        "courseline/web/static/govuk/NOTICE.txt",
        "courseline/web/static/courseline/courseline.js",
        "courseline/web/templates/base.html",
        "courseline/web/cases/templates/cases/case_detail.html",
        "courseline/web/cases/migrations/0001_initial.py",
        "courseline/py.typed",
        "courseline/law/lexicon.yaml",
        "courseline/law/data/england-wales.yaml",
        "courseline/law/data/scotland.yaml",
        "courseline/law/data/northern-ireland.yaml",
        "courseline/law/data/ireland.yaml",
        "courseline/risk/instruments/stalking-screening.yaml",
        "courseline/risk/instruments/domestic-abuse-checklist.yaml",
        "courseline/risk/instruments/self-check.yaml",
        "courseline/web/help/factsheets/keeping-a-diary.md",
        "courseline/web/help/scenarios/former-partner.yaml",
        "courseline/digital/indicators/data/indicators.json",
        "courseline/digital/indicators/data/ATTRIBUTION.md",
        "courseline/digital/indicators/data/LICENSE-echap-CC-BY-4.0.txt",
        "courseline/digital/indicators/data/LICENSE-isdi-MIT.txt",
        "courseline/web/toolkit/templates/toolkit/photos.html",
        "courseline/web/evidence/templates/evidence/detail.html",
        "courseline/web/evidence/migrations/0001_initial.py",
    ):
        assert required in names, required
    css = zipfile.ZipFile(wheel).read("courseline/web/static/govuk/govuk-frontend.min.css")
    assert b"GDS Transport" not in css
    assert not any("node_modules" in name for name in names)
