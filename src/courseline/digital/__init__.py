"""Digital-safety checks: photos, devices, network captures and indicators (framework-free)."""
