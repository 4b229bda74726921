"""Stalking law as data: jurisdictions, behaviours and course-of-conduct analysis.

Framework-free: nothing here imports Django, Typer or Rich.
"""
