"""From a raw recording to the Recording data model (dF/F, smoothing, alignment, trial
averaging, selection, normalisation), and the deterministic demo-data generators."""
