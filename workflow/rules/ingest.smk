# ingest stage: rules land here.
