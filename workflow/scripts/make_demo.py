from pinfit.ingest.demo import write_demo
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
write_demo(snakemake.wildcards.demo, snakemake.output[0], seed=0)
