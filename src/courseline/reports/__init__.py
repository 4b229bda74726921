"""Report rendering: chronologies, risk and device reports (framework-free)."""
