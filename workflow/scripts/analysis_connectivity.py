from pinfit.progress import log_to_file
from pinfit.stages.connectivity import analyse_pinning_fit

log_to_file(snakemake.log[0])
controls = snakemake.params.controls
analyse_pinning_fit(
    fit=snakemake.input.fit,
    store=snakemake.output.store,
    table=snakemake.output.table,
    condition=snakemake.params.condition,
    band_bin_frames=snakemake.params.band_bin_frames,
    variance_fraction=snakemake.params.variance_fraction,
    band_window_s=controls["band_window_s"],
    n_shuffles=controls["n_shuffles"],
    shuffle_seed=controls["shuffle_seed"],
)
