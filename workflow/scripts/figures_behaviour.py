from pinfit.figures.behaviour import draw_behaviour
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_behaviour(
    human=snakemake.input.human,
    reports=snakemake.input.reports,
    mixture=snakemake.input.mixture,
    bias=snakemake.input.bias,
    ranking=snakemake.input.ranking,
    stem=snakemake.params.stem,
    dpi=snakemake.params.dpi,
)
