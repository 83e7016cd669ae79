import os

import torch

from pinfit.progress import log_to_file
from pinfit.stages.behaviour import train_behaviour_networks

log_to_file(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
train_behaviour_networks(
    snakemake.input[0],
    os.path.dirname(snakemake.output[0]),
    behaviour=snakemake.params.behaviour,
    conditions=[snakemake.wildcards.condition],
    device=snakemake.params.device,
    checkpoint=snakemake.params.checkpoint,
)
