import os

import torch

from pinfit.progress import log_to_file
from pinfit.stages.behaviour import train_behaviour_networks

log_to_file(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
train_behaviour_networks(
    snakemake.input[0],
    os.path.dirname(snakemake.output[0]),
    task=dict(snakemake.params.task),
    conditions=dict(snakemake.params.conditions),
    training=dict(snakemake.params.training),
    device=snakemake.params.device,
    checkpoint=snakemake.params.checkpoint,
)
