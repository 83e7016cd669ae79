# figures stage: rules land here.
