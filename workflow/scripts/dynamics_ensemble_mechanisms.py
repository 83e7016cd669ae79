"""Mechanism, memory decay, noise and interruption probes of one ensemble chunk (rule ensemble_mechanisms)."""

import torch

from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
torch.set_num_threads(snakemake.threads)  # noqa: F821

from pinfit.stages.ensemble import characterise_ensemble_chunk  # noqa: E402

characterise_ensemble_chunk(
    snakemake.input[0],  # noqa: F821
    snakemake.output[0],  # noqa: F821
    ensemble=snakemake.params.ensemble,  # noqa: F821
    device=snakemake.params.device,  # noqa: F821
)
