"""Checks: the 勾稽关系 catalogue (`catalogue`), evaluation with rounding envelopes (`equations`),
evidence-based repair (`repair`) and the runner (`run.check_document`)."""
