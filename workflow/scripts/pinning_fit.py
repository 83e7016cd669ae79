from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])

import torch  # noqa: E402

torch.set_num_threads(snakemake.threads)

from pinfit.stages.pinning import fit_pinning_batch  # noqa: E402

fit_pinning_batch(
    snakemake.input.recording,
    snakemake.output[0],
    pinning=snakemake.params.pinning,
    seed=int(snakemake.wildcards.seed),
    checkpoint=snakemake.params.checkpoint,
    device=snakemake.params.device,
)
