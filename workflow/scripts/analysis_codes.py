from pinfit.progress import log_to_file
from pinfit.stages.analysis import analyse_codes

log_to_file(snakemake.log[0])
analyse_codes(
    snakemake.input.grid,
    snakemake.input.network,
    snakemake.output.store,
    snakemake.output.table,
    analysis=snakemake.params.analysis,
)
