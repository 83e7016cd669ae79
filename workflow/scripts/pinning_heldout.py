from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])

import torch  # noqa: E402

torch.set_num_threads(snakemake.threads)

from pinfit.stages.pinning import heldout_pinning_table  # noqa: E402

heldout_pinning_table(
    snakemake.input.recording,
    snakemake.output[0],
    pinning=snakemake.params.pinning,
    seed=int(snakemake.wildcards.seed),
    device=snakemake.params.device,
)
