"""courseline.web: the Django layer. Views → access helpers → actions → models/core."""
