"""Mechanism, memory decay and noise robustness of one ensemble chunk (rule ensemble_mechanisms)."""

import torch

from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
torch.set_num_threads(snakemake.threads)  # noqa: F821

from pinfit.analysis.mechanisms import analyse_ensemble_chunk  # noqa: E402

p = snakemake.params  # noqa: F821
analyse_ensemble_chunk(
    snakemake.input[0],  # noqa: F821
    snakemake.output[0],  # noqa: F821
    classify=p.classify,
    decay=p.decay,
    noise=p.noise,
    seed=p.seed,
    device=p.device,
)
