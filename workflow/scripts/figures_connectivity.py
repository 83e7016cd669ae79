from pinfit.figures.connectivity import draw_connectivity
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_connectivity(
    connectivity=snakemake.input.connectivity,
    stem=snakemake.params.stem,
    p_shown=list(snakemake.params.p_shown),
    dpi=snakemake.params.dpi,
)
