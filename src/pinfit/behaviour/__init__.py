"""Continuous-report behaviour: the mixture model, summary statistics of reports, and the
comparison of model reports with human ones."""
