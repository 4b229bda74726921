"""Public help pages: factsheets, search, the self-check and safety pages.

Everything here is open to anyone, sets no cookie, loads nothing from elsewhere and records
nothing about the reader: these pages may be read on a watched device.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from courseline.law.jurisdictions import all_jurisdictions
from courseline.law.model import BEHAVIOUR_LABELS, Behaviour
from courseline.reports.pdf import html_to_pdf
from courseline.risk.instruments import ANSWER_LABELS, Answer, load_instrument, score
from courseline.web.accounts.access import AuthedRequest, role_required
from courseline.web.accounts.models import Role
from courseline.web.help.factsheets import all_factsheets, get_factsheet
from courseline.web.help.scenarios import all_scenarios, get_scenario, mark
from courseline.web.help.search import search as search_index

SELF_CHECK = "self-check"


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "help/index.html", {"sheets": all_factsheets(_language())})


@login_not_required
@require_GET
def factsheet(request: HttpRequest, slug: str) -> HttpResponse:
    sheet = get_factsheet(slug, _language())
    if sheet is None:
        raise Http404("No such factsheet")
    related = [s for s in (get_factsheet(r, _language()) for r in sheet.meta.related) if s]
    return render(request, "help/factsheet.html", {"sheet": sheet, "related": related})


PDF_STYLE = """
@page { size: A4; margin: 2cm; @bottom-center { content: counter(page) " / " counter(pages); } }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 11pt; }
body { line-height: 1.4; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 1.2em; } a { color: #1d70b8; }
.summary { font-size: 12.5pt; } .small { font-size: 9pt; color: #505a5f; }
"""


@login_not_required
@require_GET
def factsheet_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The factsheet as a PDF, made here from the same content (nothing fetched from outside)."""
    sheet = get_factsheet(slug, _language())
    if sheet is None:
        raise Http404("No such factsheet")
    html = render_to_string("help/factsheet_print.html", {"sheet": sheet})
    response = HttpResponse(html_to_pdf(html, stylesheet=PDF_STYLE), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{sheet.slug}.pdf"'
    return response


@login_not_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    slugs = search_index(query) if query.strip() else []
    results = [s for s in (get_factsheet(slug, _language()) for slug in slugs) if s]
    return render(request, "help/search.html", {"query": query, "results": results})


@login_not_required
@csrf_exempt  # stateless and anonymous: a CSRF cookie would be the only cookie on the page
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    """'Am I being stalked?': the answers are scored in memory and never stored or logged."""
    instrument = load_instrument(SELF_CHECK)
    answers: dict[str, str] = {}
    result = None
    if request.method == "POST":
        for item in instrument.items:
            value = request.POST.get(item.key, "")
            if value in {answer.value for answer in item.answers}:
                answers[item.key] = value
        result = score(instrument, answers)
    rows = [
        (item, [(a.value, ANSWER_LABELS[a]) for a in item.answers if a != Answer.NOT_ASKED])
        for item in instrument.items
    ]
    context = {"instrument": instrument, "rows": rows, "answers": answers, "result": result}
    return render(request, "help/self_check.html", context)


@login_not_required
@require_GET
def exit_explained(request: HttpRequest) -> HttpResponse:
    return render(request, "help/exit_explained.html")


@login_not_required
@require_GET
def safety(request: HttpRequest) -> HttpResponse:
    return render(request, "help/safety.html")


@login_not_required
@require_GET
def law(request: HttpRequest) -> HttpResponse:
    """What the law says, generated from the same law data the analysis uses."""
    return render(request, "help/law.html", {"jurisdictions": all_jurisdictions()})


# --- Training for professionals ---------------------------------------------------------------


@role_required(Role.SUPERVISOR, Role.CASEWORKER, Role.ADMIN)
@require_GET
def training_index(request: AuthedRequest) -> HttpResponse:
    return render(request, "help/training_index.html", {"scenarios": all_scenarios()})


@role_required(Role.SUPERVISOR, Role.CASEWORKER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def training_exercise(request: AuthedRequest, slug: str) -> HttpResponse:
    """Classify each incident and judge the risk, then compare with the model answer.
    Nothing is stored: this is practice on fictional cases."""
    scenario = get_scenario(slug)
    if scenario is None:
        raise Http404("No such scenario")
    marking = None
    if request.method == "POST":
        valid = {b.value for b in Behaviour}
        chosen = {
            i.key: frozenset(Behaviour(v) for v in request.POST.getlist(f"b_{i.key}") if v in valid)
            for i in scenario.incidents
        }
        fear = {i.key: request.POST.get(f"f_{i.key}", "") for i in scenario.incidents}
        marking = mark(scenario, chosen, fear, request.POST.get("judgement", ""))
    context = {
        "scenario": scenario,
        "marking": marking,
        "behaviours": list(BEHAVIOUR_LABELS.items()),
        "labels": {key.value: label for key, label in BEHAVIOUR_LABELS.items()},
    }
    return render(request, "help/training_exercise.html", context)
