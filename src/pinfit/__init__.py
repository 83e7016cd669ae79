"""pinfit: fit recurrent networks to recorded data and explain the fitted networks.

The package mirrors the workflow's stages: ``io`` (readers), ``preprocess``, ``store``
(zarr), ``pinning`` (RLS engine), ``tasks``/``rnn``/``behaviour`` (task networks and human
reports), ``analysis`` and ``figures``. It never imports snakemake.
"""

__version__ = "0.1.0"
