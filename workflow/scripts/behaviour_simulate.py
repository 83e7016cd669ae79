import torch

from pinfit.progress import log_to_file
from pinfit.stages.behaviour import simulate_behaviour_reports

log_to_file(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
simulate_behaviour_reports(
    snakemake.input.behaviour,
    list(snakemake.input.networks),
    snakemake.output[0],
    behaviour=snakemake.params.behaviour,
    device=snakemake.params.device,
)
