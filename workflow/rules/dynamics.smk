# dynamics stage: rules land here.
