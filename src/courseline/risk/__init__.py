"""Risk instruments as data, scoring and review schedules (framework-free).

The public API lives in :mod:`courseline.risk.instruments` (instruments, scoring, comparison,
suggestions, safety plans) and :mod:`courseline.risk.annotations` (the Mullen typology and the
homicide-timeline stages, for a professional to pick).
"""
