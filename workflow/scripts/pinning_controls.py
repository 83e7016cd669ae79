from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])

from pinfit.stages.pinning import controls_pinning_table  # noqa: E402

controls_pinning_table(
    snakemake.input.recording,
    snakemake.input.batch,
    snakemake.output[0],
    pinning=snakemake.params.pinning,
)
