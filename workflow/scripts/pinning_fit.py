from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])

import torch  # noqa: E402

torch.set_num_threads(snakemake.threads)

from pinfit.stages.pinning import fit_pinning_stores  # noqa: E402

model = snakemake.params.model
fit_pinning_stores(
    recording=snakemake.input.recording,
    outputs=list(snakemake.output),
    p=snakemake.params.p,
    seed=int(snakemake.wildcards.seed),
    checkpoint=snakemake.params.checkpoint,
    device=snakemake.params.device,
    n_extra=model["n_extra"],
    plastic=model["plastic"],
    phi=model["phi"],
    error=model["error"],
    g=model["g"],
    tau=model["tau"],
    dt=model["dt"],
    steps_per_frame=model["steps_per_frame"],
    tau_wn=model["tau_wn"],
    h0=model["h0"],
    noise_std=model["noise_std"],
    p0=model["p0"],
    runs=model["runs"],
    free_runs=model["free_runs"],
    checkpoint_every=model["checkpoint_every"],
    precision=model["precision"],
)
