from pinfit.figures.connectivity import draw_connectivity
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_connectivity(
    connectivity=list(snakemake.input.connectivity),
    stem=snakemake.params.stem,
    condition=snakemake.params.condition,
    summary=snakemake.input.summary,
    dj_vs_peak=snakemake.input.dj,
    dpi=snakemake.params.dpi,
)
