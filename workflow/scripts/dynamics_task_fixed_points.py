"""Fixed and slow points of a trained task network (rule task_fixed_points)."""

import torch

from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
torch.set_num_threads(snakemake.threads)  # noqa: F821

from pinfit.stages.analysis import network_fixed_points  # noqa: E402

p = snakemake.params  # noqa: F821
network_fixed_points(
    snakemake.input[0],  # noqa: F821
    snakemake.output.zarr,  # noqa: F821
    snakemake.output.csv,  # noqa: F821
    seed=p.seed,
    device=p.device,
    **p.finder,
)
