"""Evidence integrity: hashing and tamper-evident, hash-chained logs (framework-free)."""
