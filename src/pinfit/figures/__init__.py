"""Manuscript figures, one module per figure family, all drawn in the one style of ``style``.

Each module has a ``plot_*`` function (xarray Datasets / tidy DataFrames in, a
:class:`matplotlib.figure.Figure` out; it never recomputes science) and a ``draw_*`` function
that reads result stores, plots and saves PDF, SVG and 300-dpi PNG (what the workflow's figure
scripts call):

- ``activity``: Figure 1, data vs PINned models as sequences sorted by peak time.
- ``pinning``: Figure 2, pVar against p and training curves.
- ``connectivity``: Figure 3, J and dJ against peak-time difference, currents, spectra.
- ``behaviour``: Figure 4, human vs model reports, mixture parameters, biases, ranking.
- ``manifold``: Figure 5, the two-item torus, its metrics, homology, weights, dynamic code.
- ``dynamics``: Figure 6, fixed and slow points, mechanism shares, memory decay, noise.
"""
