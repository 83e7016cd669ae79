"""Fixed and slow points of one ensemble chunk's networks (rule ensemble_fixed_points)."""

import torch

from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
torch.set_num_threads(snakemake.threads)  # noqa: F821

from pinfit.analysis.mechanisms import ensemble_fixed_points_chunk  # noqa: E402

p = snakemake.params  # noqa: F821
ensemble_fixed_points_chunk(
    snakemake.input[0],  # noqa: F821
    snakemake.output.zarr,  # noqa: F821
    snakemake.output.csv,  # noqa: F821
    n_starts=p.n_starts,
    seed=p.seed,
    device=p.device,
    **p.finder,
)
