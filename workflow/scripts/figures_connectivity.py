from pinfit.figures.connectivity import draw_connectivity
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_connectivity(
    connectivity=list(snakemake.input.connectivity),
    stem=snakemake.params.stem,
    condition=snakemake.params.condition,
    dpi=snakemake.params.dpi,
)
