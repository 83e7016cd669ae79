from pinfit.progress import log_to_file
from pinfit.stages.ingest import ingest_behaviour, ingest_recording

log_to_file(snakemake.log[0])
ingest = ingest_recording if snakemake.params.entry["kind"] == "recording" else ingest_behaviour
ingest(dict(snakemake.params.entry), snakemake.output[0], dataset=snakemake.wildcards.dataset)
