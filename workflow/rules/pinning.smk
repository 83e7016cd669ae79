# pinning stage: rules land here.
