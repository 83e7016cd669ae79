from pinfit.analysis.connectivity import analyse_pinning_fit
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
analyse_pinning_fit(
    fit=snakemake.input.fit,
    store=snakemake.output.store,
    table=snakemake.output.table,
    condition=snakemake.params.condition,
    band_bin_frames=snakemake.params.band_bin_frames,
    variance_fraction=snakemake.params.variance_fraction,
)
