"""Fixed and slow points of one ensemble chunk's trained networks (rule ensemble_fixed_points)."""

import torch

from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
torch.set_num_threads(snakemake.threads)  # noqa: F821

from pinfit.stages.ensemble import ensemble_fixed_points_chunk  # noqa: E402

ensemble_fixed_points_chunk(
    snakemake.input.networks,  # noqa: F821
    snakemake.input.mechanisms,  # noqa: F821
    snakemake.output.zarr,  # noqa: F821
    snakemake.output.csv,  # noqa: F821
    ensemble=snakemake.params.ensemble,  # noqa: F821
    device=snakemake.params.device,  # noqa: F821
)
