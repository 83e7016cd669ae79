import torch

from pinfit.analysis.codes import analyse_task_codes
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
analyse_task_codes(
    network=snakemake.input.network,
    store=snakemake.output.store,
    table=snakemake.output.table,
    n_grid=snakemake.params.n_grid,
    decode_stride=snakemake.params.decode_stride,
    ridge=snakemake.params.ridge,
    n_bins=snakemake.params.weight_bins,
    noise=snakemake.params.noise,
    seed=snakemake.params.seed,
    device=snakemake.params.device,
)
