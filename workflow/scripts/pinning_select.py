from pinfit.progress import log_to_file
from pinfit.stages.pinning import select_fit

log_to_file(snakemake.log[0])
select_fit(snakemake.input[0], snakemake.output[0], p=float(snakemake.wildcards.p))
