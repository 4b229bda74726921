"""Courseline: casework, evidence and digital-safety toolkit for stalking support services."""

__version__ = "0.1.0"
