"""Train one chunk of the slow-manifold ensemble (rule ensemble_train)."""

import torch

from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
torch.set_num_threads(snakemake.threads)  # noqa: F821

from pinfit.stages.ensemble import train_ensemble_chunk  # noqa: E402

train_ensemble_chunk(
    snakemake.output[0],  # noqa: F821
    ensemble=snakemake.params.ensemble,  # noqa: F821
    chunk=int(snakemake.wildcards.chunk),  # noqa: F821
    device=snakemake.params.device,  # noqa: F821
)
