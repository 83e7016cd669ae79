from pinfit.progress import log_to_file
from pinfit.stages.analysis import analyse_manifold

log_to_file(snakemake.log[0])
analyse_manifold(
    snakemake.input.grid, snakemake.output.store, snakemake.output.table, analysis=snakemake.params.analysis
)
