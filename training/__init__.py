"""Training recipe of geoverify's Urdu line recogniser (see training/README.md)."""
