"""Risk instruments as data, scoring and review schedules (framework-free)."""
