import torch

from pinfit.progress import log_to_file
from pinfit.stages.analysis import record_task_grid

log_to_file(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
record_task_grid(
    snakemake.input.network,
    snakemake.output[0],
    analysis=snakemake.params.analysis,
    device=snakemake.params.device,
)
