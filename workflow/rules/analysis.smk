# analysis stage: rules land here.
